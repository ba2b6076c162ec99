/**
 * @file The spectrogram conventions of demucs (`HTDemucs._spec` / `_ispec`), computed without
 * materialising any of the intermediate padded copies torch makes:
 *
 *  - periodic Hann window, n_fft 4096, hop 1024, "normalized" (×1/√n_fft forward, ×√n_fft back);
 *  - the signal is reflect-padded by 3·hop/2 on the left and up to a whole number of hops plus
 *    3·hop/2 on the right, then torch.stft's own centre padding adds n_fft/2 more on each side;
 *  - of the resulting frames, the first two and the last two are dropped and so is the Nyquist bin,
 *    leaving `frames = ceil(length / hop)` frames of `nFft / 2` bins.
 *
 * Frame t therefore starts at sample `t·hop − 3·hop/2` of the unpadded signal, and only the first
 * reflect padding is ever read. The inverse zero-pads the Nyquist bin and two frames on each side,
 * overlap-adds with the same window and divides by the window-power envelope, exactly like
 * torch.istft, and crops the padding away again.
 *
 * Layout matches the htdemucs ONNX graph: a spectrogram of C channels is `[C·2][bins][frames]`
 * with real and imaginary parts as interleaved channels (re0, im0, re1, im1, …).
 */

import FFT from 'fft.js';

export const DEMUCS_N_FFT = 4096;
export const DEMUCS_HOP = 1024;

export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 * (1 - Math.cos((2 * Math.PI * i) / n));
  return w;
}

/** Index into a signal of length n with one level of reflect padding (torch "reflect", edge not repeated). */
function reflect(i: number, n: number): number {
  if (i < 0) return -i;
  if (i >= n) return 2 * (n - 1) - i;
  return i;
}

export class DemucsStft {
  readonly bins: number;
  readonly frames: number;
  /** Start of frame 0 relative to the first sample (negative: it reaches into the left padding). */
  private readonly firstStart: number;
  private readonly fft: FFT;
  private readonly analysisWin: Float64Array;
  private readonly synthesisWin: Float64Array;
  /** 1 / Σ window² at each output sample (torch.istft's envelope normalisation). */
  private readonly invEnvelope: Float64Array;
  private readonly frameIn: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly timeOut: Float64Array;
  /** Frame-major scratch planes (`[frame][bin]`): re/im of two signals, for cache-friendly FFT I/O. */
  private readonly scratch: Float32Array[];

  constructor(
    readonly length: number,
    readonly nFft = DEMUCS_N_FFT,
    readonly hop = DEMUCS_HOP,
  ) {
    const pad = (hop / 2) * 3;
    if (length <= pad)
      throw new RangeError(`signal of ${length} samples is too short for reflect padding of ${pad}`);
    this.bins = nFft / 2;
    this.frames = Math.ceil(length / hop);
    this.firstStart = -pad;
    this.fft = new FFT(nFft);
    const w = hannPeriodic(nFft);
    const norm = Math.sqrt(nFft);
    this.analysisWin = w.map((v) => v / norm);
    this.synthesisWin = w.map((v) => v * norm);
    this.invEnvelope = this.envelope(w);
    this.frameIn = new Float64Array(nFft);
    this.spectrum = new Float64Array(2 * nFft);
    this.timeOut = new Float64Array(2 * nFft);
    this.scratch = Array.from({ length: 4 }, () => new Float32Array(this.bins * this.frames));
  }

  /** Size of a spectrogram of `channels` signals in the interleaved layout. */
  specSize(channels: number): number {
    return channels * 2 * this.bins * this.frames;
  }

  /**
   * Spectrogram of `channels` planar signals stored back to back in `input` (channel c at
   * `c·length`), written into `out` (`specSize(channels)` floats).
   */
  forward(input: Float32Array, channels: number, out: Float32Array): void {
    const { nFft, hop, bins, frames, length, analysisWin, frameIn, spectrum } = this;
    const plane = bins * frames;
    const [re, im] = this.scratch;
    for (let c = 0; c < channels; c++) {
      const base = c * length;
      for (let t = 0; t < frames; t++) {
        const start = this.firstStart + t * hop;
        if (start >= 0 && start + nFft <= length) {
          for (let i = 0; i < nFft; i++) frameIn[i] = input[base + start + i] * analysisWin[i];
        } else {
          for (let i = 0; i < nFft; i++)
            frameIn[i] = input[base + reflect(start + i, length)] * analysisWin[i];
        }
        this.fft.realTransform(spectrum, frameIn);
        for (let k = 0, o = t * bins; k < bins; k++, o++) {
          re[o] = spectrum[2 * k];
          im[o] = spectrum[2 * k + 1];
        }
      }
      transpose(re, frames, bins, out, 2 * c * plane);
      transpose(im, frames, bins, out, (2 * c + 1) * plane);
    }
  }

  /**
   * Inverse of `forward` for `signals` spectrograms in `spec`, *added* to the planar signals in
   * `out` (signal s at `s·length`). Adding lets htdemucs sum its frequency branch straight into
   * the time-branch output without another buffer.
   */
  inverseAdd(spec: Float32Array, signals: number, out: Float32Array): void {
    // Two real signals share one complex inverse FFT: ifft(A + iB) = a + ib when A, B are Hermitian.
    for (let s = 0; s < signals; s += 2) {
      this.inversePair(spec, s, s + 1 < signals ? s + 1 : -1, out);
    }
  }

  private inversePair(spec: Float32Array, a: number, b: number, out: Float32Array): void {
    const { nFft, hop, bins, frames, length, synthesisWin, invEnvelope, spectrum, timeOut } = this;
    const plane = bins * frames;
    const [aRe, aIm, bRe, bIm] = this.scratch;
    transposeFrom(spec, 2 * a * plane, bins, frames, aRe);
    transposeFrom(spec, (2 * a + 1) * plane, bins, frames, aIm);
    if (b >= 0) {
      transposeFrom(spec, 2 * b * plane, bins, frames, bRe);
      transposeFrom(spec, (2 * b + 1) * plane, bins, frames, bIm);
    } else {
      bRe.fill(0);
      bIm.fill(0);
    }
    const aOut = a * length;
    const bOut = b * length;
    for (let t = 0; t < frames; t++) {
      const row = t * bins;
      // Z[k] = A[k] + i·B[k];  Z[N−k] = conj(A[k]) + i·conj(B[k]); the dropped Nyquist bin is zero.
      // Like torch's C2R inverse, the imaginary part of the DC bin is ignored: the model's output
      // carries one, and through the pairing it would leak into the other channel as a slow offset.
      spectrum[0] = aRe[row];
      spectrum[1] = bRe[row];
      for (let k = 1; k < bins; k++) {
        const ar = aRe[row + k];
        const ai = aIm[row + k];
        const br = bRe[row + k];
        const bi = bIm[row + k];
        spectrum[2 * k] = ar - bi;
        spectrum[2 * k + 1] = ai + br;
        const m = 2 * (nFft - k);
        spectrum[m] = ar + bi;
        spectrum[m + 1] = br - ai;
      }
      spectrum[nFft] = 0;
      spectrum[nFft + 1] = 0;
      this.fft.inverseTransform(timeOut, spectrum);
      const start = this.firstStart + t * hop;
      const i0 = start < 0 ? -start : 0;
      const i1 = Math.min(nFft, length - start);
      for (let i = i0; i < i1; i++) {
        const n = start + i;
        const g = synthesisWin[i] * invEnvelope[n];
        out[aOut + n] += timeOut[2 * i] * g;
        if (b >= 0) out[bOut + n] += timeOut[2 * i + 1] * g;
      }
    }
  }

  private envelope(w: Float64Array): Float64Array {
    const { nFft, hop, frames, length } = this;
    const env = new Float64Array(length);
    // The two zero frames padded on each side still count in torch.istft's window envelope.
    for (let t = -2; t < frames + 2; t++) {
      const start = this.firstStart + t * hop;
      for (let i = 0; i < nFft; i++) {
        const n = start + i;
        if (n >= 0 && n < length) env[n] += w[i] * w[i];
      }
    }
    for (let n = 0; n < length; n++) env[n] = env[n] > 1e-11 ? 1 / env[n] : 0;
    return env;
  }
}

const BLOCK = 32; // transpose tile: 32×32 floats stay in L1 on both sides

/** `src` is rows × cols (row-major); writes its transpose (cols × rows) into `dst` at `offset`. */
function transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array, offset: number): void {
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(rows, r0 + BLOCK);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(cols, c0 + BLOCK);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) dst[offset + c * rows + r] = src[r * cols + c];
      }
    }
  }
}

/** Reads a rows × cols matrix stored at `offset` of `src` and writes its transpose into `dst`. */
function transposeFrom(
  src: Float32Array,
  offset: number,
  rows: number,
  cols: number,
  dst: Float32Array,
): void {
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(rows, r0 + BLOCK);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(cols, c0 + BLOCK);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[offset + r * cols + c];
      }
    }
  }
}
