import type { PcmAudio } from '../../audio/pcm.js';
import type { EngineInfo } from '../../domain/stage.js';
import type { StemName } from '../../storage/paths.js';

/** Four stems at the input's sample rate, channel count and length. */
export type Stems = Record<StemName, PcmAudio>;

export interface SeparateOptions {
  signal?: AbortSignal;
  /** Fraction done in [0, 1], called after each unit of work (a model segment, a DSP pass). */
  onProgress?: (fraction: number) => void;
}

/**
 * A stem separator. The contract leaves out: streaming (the whole song is in memory), and
 * any guarantee that the stems sum to the mixture (the DSP engine's do exactly; htdemucs' do not).
 */
export interface SeparationEngine {
  readonly info: EngineInfo;
  separate(audio: PcmAudio, opts?: SeparateOptions): Promise<Stems>;
  dispose(): Promise<void>;
}
