/**
 * @file The contract between the pipeline and a stage. A stage is thin glue:
 * load inputs → run an engine → write outputs with `ctx.write` → return what happened.
 *
 * Errors a stage throws decide what the pipeline does (the rule: domain/retry.ts):
 *  - InputError / UnavailableError / CancelledError (src/errors.ts): permanent, no retry;
 *  - anything else: transient, retried with backoff by the stage policy.
 * A stage whose engine cannot run here (no model, offline) should *return*
 * `{ status: 'unavailable', reason }` rather than throw, so the job ends `partial` with the reason.
 */

import type { Logger } from 'pino';
import type { PcmAudio } from '../audio/pcm.js';
import type { AppConfig } from '../config.js';
import type { JobPaths } from '../storage/paths.js';

export const STAGE_NAMES = ['separation', 'transcription', 'beats'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export const ENGINE_QUALITIES = ['model', 'fallback', 'dsp'] as const;
export type EngineQuality = (typeof ENGINE_QUALITIES)[number];

export interface EngineInfo {
  name: string; // e.g. "htdemucs-onnx", "dsp-fallback", "whisper-base", "lyrics-aligner", "beat-dsp"
  version: string;
  /** "model" = the real thing; "fallback" = a degraded engine that must be labelled as such. */
  quality: EngineQuality;
  license?: string;
}

export interface JobOptions {
  stages: StageName[];
  lyrics?: string;
  language?: string;
  whisperModel?: string;
  separationEngine?: AppConfig['separationEngine'];
  /** The stems' file format; STEM_FORMAT when absent. */
  stemFormat?: AppConfig['stemFormat'];
  /** What the uploaded file is: a full song (default) or a vocals stem to align directly. */
  input?: 'mixture' | 'vocals';
  /** What the beats stage tracks: the mixture (default), or the separated drums + bass stems (it then waits for separation). */
  beatsSource?: 'mix' | 'drums';
}

export interface StageContext {
  jobId: string;
  paths: JobPaths;
  options: JobOptions;
  config: AppConfig;
  signal: AbortSignal;
  log: Logger;
  /** Stage progress 0–100 (clamped and made monotonic by the pipeline). */
  progress(percent: number, message?: string): void;
  /** The decoded mixture at config.audioSampleRate, stereo. Decoded once per job, cached. */
  loadMix(): Promise<PcmAudio>;
  /**
   * Writes an output file (a path from `paths`) atomically: temp name, fsync, rename, folders
   * made. Returns its path relative to the job directory, as `outputs` carry it.
   */
  write(file: string, data: string | Uint8Array): Promise<string>;
}

export interface StageOutcome {
  status: 'completed' | 'unavailable';
  engine?: EngineInfo;
  /** Output name → path relative to the job directory, e.g. { vocals: "stems/vocals.wav" }. */
  outputs: Record<string, string>;
  /** Scalar fields copied onto the job record (e.g. tempo_bpm, time_signature, language). */
  summary?: Record<string, JsonValue>;
  warnings?: string[];
  /** Why the stage is unavailable (status "unavailable"). */
  reason?: string;
}

export type StageHandler = (ctx: StageContext) => Promise<StageOutcome>;
export type StageHandlers = { [S in StageName]: StageHandler };
