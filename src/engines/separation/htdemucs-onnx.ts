/**
 * @file demucs' `apply_model` around the htdemucs graph, in the conventions of the Python package:
 *  - the mixture is scaled by the standard deviation of its mono downmix and the sources scaled
 *    back (`separate.py` / `api.py`). demucs also subtracts the mean and adds it back to *every*
 *    source; on a corpus song with a DC offset that cost 4–6 dB of bass SDR (the DC lands in all
 *    four stems), so the mean is left in and the model's own per-segment normalisation handles it;
 *  - optional random shifts of up to 0.5 s, whose outputs are averaged (the "shift trick");
 *  - segments of the training length (7.8 s) every (1 − overlap) of a segment (75 % by default),
 *    each padded with the real neighbouring audio (zeros only beyond the song), cropped back to its
 *    centre and overlap-added with a triangular weight normalised by the summed weights.
 * Everything per segment happens in buffers owned by the session; per song there is one output
 * buffer for the four stereo stems (the mixture is standardised segment by segment).
 */

import type { PcmAudio } from '../../audio/pcm.js';
import { pcmLength } from '../../audio/pcm.js';
import { resample } from '../../audio/resample.js';
import type { EngineInfo } from '../../domain/stage.js';
import { throwIfAborted } from '../../errors.js';
import type { StemName } from '../../storage/paths.js';
import {
  HTDEMUCS_CHANNELS,
  HTDEMUCS_SAMPLE_RATE,
  HTDEMUCS_SEGMENT,
  HTDEMUCS_SOURCES,
  type HtdemucsSession,
} from './htdemucs-session.js';
import type { SeparateOptions, SeparationEngine, Stems } from './types.js';
import { mulberry32 } from '../../audio/random.js';
import { DEFAULT_OVERLAP } from './segments.js';

export const MAX_SHIFT_SECONDS = 0.5;
const STD_EPSILON = 1e-8; // demucs adds it so that digital silence does not divide by zero
const DEFAULT_SHIFT_SEED = 0x5eed;

export interface HtdemucsEngineOptions {
  shifts: number;
  /** Share of a segment its neighbour overlaps (segments.ts); DEFAULT_OVERLAP when absent. */
  overlap?: number;
  /** Seed of the shift offsets, so that a job's result is reproducible. */
  seed?: number;
  /** How results name the engine (from the engine table, with the loaded model's licence). */
  info: EngineInfo;
}

/** A stretch of the (standardised) song the segmenter walks over: `start` may be negative (shifts). */
interface View {
  start: number;
  length: number;
}

export class HtdemucsEngine implements SeparationEngine {
  readonly info: EngineInfo;
  private readonly weight: Float32Array;
  private readonly stride: number;

  constructor(
    private readonly session: HtdemucsSession,
    private readonly opts: HtdemucsEngineOptions,
  ) {
    this.info = opts.info;
    this.weight = triangularWeight(HTDEMUCS_SEGMENT);
    this.stride = Math.max(1, Math.floor((1 - (opts.overlap ?? DEFAULT_OVERLAP)) * HTDEMUCS_SEGMENT));
  }

  async separate(audio: PcmAudio, opts: SeparateOptions = {}): Promise<Stems> {
    const inputLength = pcmLength(audio);
    const stereo = toModelInput(audio);
    const n = stereo[0].length;
    const std = standardDeviation(stereo);
    const out = new Float32Array(HTDEMUCS_SOURCES.length * HTDEMUCS_CHANNELS * n);
    const views = this.views(n);
    const total = views.reduce((acc, v) => acc + Math.ceil(v.length / this.stride), 0);
    let done = 0;
    for (const view of views) {
      const scale = this.viewScale(view.length, 1 / views.length);
      for (let offset = 0; offset < view.length; offset += this.stride) {
        throwIfAborted(opts.signal);
        const chunk = Math.min(HTDEMUCS_SEGMENT, view.length - offset);
        const trim = Math.floor((HTDEMUCS_SEGMENT - chunk) / 2);
        this.fillInput(stereo, std, view.start + offset - trim);
        await this.session.run();
        this.accumulate(out, n, view.start + offset, offset, chunk, trim, scale);
        opts.onProgress?.(++done / total);
      }
    }
    for (let i = 0; i < out.length; i++) out[i] *= std;
    return toStems(out, n, audio, inputLength);
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }

  private views(n: number): View[] {
    if (this.opts.shifts <= 0) return [{ start: 0, length: n }];
    const maxShift = Math.floor(MAX_SHIFT_SECONDS * HTDEMUCS_SAMPLE_RATE);
    const rand = mulberry32(this.opts.seed ?? DEFAULT_SHIFT_SEED);
    const views: View[] = [];
    for (let s = 0; s < this.opts.shifts; s++) {
      const offset = Math.floor(rand() * (maxShift + 1));
      views.push({ start: offset - maxShift, length: n + maxShift - offset });
    }
    return views;
  }

  /** 1 / (Σ weights · number of views) at each view position: the overlap-add normalisation. */
  private viewScale(length: number, viewFactor: number): Float32Array {
    const sum = new Float32Array(length);
    for (let offset = 0; offset < length; offset += this.stride) {
      const chunk = Math.min(HTDEMUCS_SEGMENT, length - offset);
      for (let t = 0; t < chunk; t++) sum[offset + t] += this.weight[t];
    }
    for (let i = 0; i < length; i++) sum[i] = viewFactor / sum[i];
    return sum;
  }

  /**
   * Copies the segment starting at song position `start` into the model input, standardised
   * (x / std, as demucs does to the whole song first: the same float operation per sample, so no
   * standardised copy of the song is kept), zeros outside the song.
   */
  private fillInput(stereo: [Float32Array, Float32Array], std: number, start: number): void {
    const input = this.session.input;
    const n = stereo[0].length;
    const lo = Math.max(0, -start);
    const hi = Math.max(lo, Math.min(HTDEMUCS_SEGMENT, n - start));
    for (let c = 0; c < HTDEMUCS_CHANNELS; c++) {
      const dst = c * HTDEMUCS_SEGMENT;
      const src = stereo[c];
      input.fill(0, dst, dst + lo);
      for (let t = lo; t < hi; t++) input[dst + t] = src[start + t] / std;
      input.fill(0, dst + hi, dst + HTDEMUCS_SEGMENT);
    }
  }

  private accumulate(
    out: Float32Array,
    n: number,
    songStart: number,
    viewStart: number,
    chunk: number,
    trim: number,
    scale: Float32Array,
  ): void {
    const y = this.session.output;
    const w = this.weight;
    const t0 = Math.max(0, -songStart);
    const t1 = Math.min(chunk, n - songStart);
    const signals = HTDEMUCS_SOURCES.length * HTDEMUCS_CHANNELS;
    for (let k = 0; k < signals; k++) {
      const dst = k * n + songStart;
      const src = k * HTDEMUCS_SEGMENT + trim;
      for (let t = t0; t < t1; t++) out[dst + t] += w[t] * y[src + t] * scale[viewStart + t];
    }
  }
}

/** demucs' transition weight: 1 … segment/2 … 1, normalised to a peak of 1. */
export function triangularWeight(segment: number): Float32Array {
  const w = new Float32Array(segment);
  const half = Math.floor(segment / 2);
  for (let i = 0; i < half; i++) w[i] = i + 1;
  for (let i = half; i < segment; i++) w[i] = segment - i;
  const peak = Math.max(half, segment - half);
  for (let i = 0; i < segment; i++) w[i] /= peak;
  return w;
}

/** Stereo at the model's rate: mono is duplicated, extra channels are ignored. */
function toModelInput(audio: PcmAudio): [Float32Array, Float32Array] {
  if (audio.channels.length === 0) throw new RangeError('audio has no channels');
  const left = audio.channels[0];
  const right = audio.channels.length > 1 ? audio.channels[1] : left;
  if (audio.sampleRate === HTDEMUCS_SAMPLE_RATE) return [left, right];
  const l = resample(left, audio.sampleRate, HTDEMUCS_SAMPLE_RATE);
  return [l, right === left ? l : resample(right, audio.sampleRate, HTDEMUCS_SAMPLE_RATE)];
}

/** The standard deviation of the mono downmix (the mean stays in: see the class comment). */
function standardDeviation([left, right]: [Float32Array, Float32Array]): number {
  const n = left.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (left[i] + right[i]) / 2;
  const mean = n > 0 ? sum / n : 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = (left[i] + right[i]) / 2 - mean;
    sq += d * d;
  }
  return (n > 1 ? Math.sqrt(sq / (n - 1)) : 0) + STD_EPSILON; // torch.std is unbiased
}

/** Views of the output buffer as stems, back at the input's rate, length and channel count. */
function toStems(out: Float32Array, n: number, audio: PcmAudio, inputLength: number): Stems {
  const mono = audio.channels.length === 1;
  const stems = {} as Stems;
  HTDEMUCS_SOURCES.forEach((name: StemName, s) => {
    let channels = [0, 1].map((c) =>
      out.subarray((s * HTDEMUCS_CHANNELS + c) * n, (s * HTDEMUCS_CHANNELS + c + 1) * n),
    );
    if (mono) {
      const m = channels[0];
      for (let i = 0; i < n; i++) m[i] = (m[i] + channels[1][i]) / 2;
      channels = [m];
    }
    if (audio.sampleRate !== HTDEMUCS_SAMPLE_RATE) {
      channels = channels.map((ch) =>
        fitLength(resample(ch, HTDEMUCS_SAMPLE_RATE, audio.sampleRate), inputLength),
      );
    }
    stems[name] = { sampleRate: audio.sampleRate, channels };
  });
  return stems;
}

function fitLength(x: Float32Array, length: number): Float32Array {
  if (x.length === length) return x;
  const y = new Float32Array(length);
  y.set(x.subarray(0, Math.min(length, x.length)));
  return y;
}
