import FFT from 'fft.js';
import { hannPeriodic } from '../stft.js';

/**
 * A whole-song STFT for mask-based separation: periodic Hann, zero-padded centred frames, and an
 * inverse that divides by the window-power envelope so that an all-ones mask gives the input back
 * (up to float rounding). Spectra are stored frame-major, `[frame][bin]` with re/im interleaved,
 * so a frame is contiguous for the FFT and for per-frame mask work.
 */
export class SongStft {
  readonly bins: number;
  readonly frames: number;
  private readonly fft: FFT;
  private readonly window: Float64Array;
  private readonly frameBuf: Float64Array;
  private readonly specBuf: Float64Array;
  private readonly timeBuf: Float64Array;
  /** 1 / Σ window² per sample: the inverse's normalisation, the same for every call. */
  private readonly invEnvelope: Float64Array;

  constructor(
    readonly length: number,
    readonly nFft: number,
    readonly hop: number,
  ) {
    this.bins = nFft / 2 + 1;
    this.frames = Math.ceil(length / hop) + 1;
    this.fft = new FFT(nFft);
    this.window = hannPeriodic(nFft);
    this.frameBuf = new Float64Array(nFft);
    this.specBuf = new Float64Array(2 * nFft);
    this.timeBuf = new Float64Array(2 * nFft);
    this.invEnvelope = new Float64Array(length);
    for (let t = 0; t < this.frames; t++) {
      const start = t * hop - nFft / 2;
      for (let i = Math.max(0, -start); i < Math.min(nFft, length - start); i++) {
        this.invEnvelope[start + i] += this.window[i] * this.window[i];
      }
    }
    for (let i = 0; i < length; i++)
      this.invEnvelope[i] = this.invEnvelope[i] > 1e-9 ? 1 / this.invEnvelope[i] : 0;
  }

  /** Floats needed for one channel's spectrum. */
  get specSize(): number {
    return this.frames * this.bins * 2;
  }

  forward(x: Float32Array, out: Float32Array): void {
    const { nFft, hop, bins, window, frameBuf, specBuf, length } = this;
    const half = nFft / 2;
    for (let t = 0; t < this.frames; t++) {
      const start = t * hop - half;
      for (let i = 0; i < nFft; i++) {
        const n = start + i;
        frameBuf[i] = n >= 0 && n < length ? x[n] * window[i] : 0;
      }
      this.fft.realTransform(specBuf, frameBuf);
      out.set(specBuf.subarray(0, 2 * bins), t * bins * 2);
    }
  }

  /** Inverse of two spectra at once (one complex FFT for two real signals); `b` may be omitted. */
  inverse(a: Float32Array, outA: Float32Array, b?: Float32Array, outB?: Float32Array): void {
    const { nFft, hop, bins, window, specBuf, timeBuf, length, invEnvelope } = this;
    const half = nFft / 2;
    outA.fill(0);
    outB?.fill(0);
    for (let t = 0; t < this.frames; t++) {
      const base = t * bins * 2;
      for (let k = 0; k < bins; k++) {
        const ar = a[base + 2 * k];
        const ai = a[base + 2 * k + 1];
        const br = b ? b[base + 2 * k] : 0;
        const bi = b ? b[base + 2 * k + 1] : 0;
        specBuf[2 * k] = ar - bi;
        specBuf[2 * k + 1] = ai + br;
        if (k > 0 && k < nFft / 2) {
          const m = 2 * (nFft - k);
          specBuf[m] = ar + bi;
          specBuf[m + 1] = br - ai;
        }
      }
      this.fft.inverseTransform(timeBuf, specBuf);
      const start = t * hop - half;
      const i0 = Math.max(0, -start);
      const i1 = Math.min(nFft, length - start);
      for (let i = i0; i < i1; i++) {
        const n = start + i;
        const g = window[i] * invEnvelope[n];
        outA[n] += timeBuf[2 * i] * g;
        if (outB) outB[n] += timeBuf[2 * i + 1] * g;
      }
    }
  }
}
