import FFT from 'fft.js';

/**
 * The YIN cumulative-mean-normalised difference function (de Cheveigné & Kawahara 2002) for
 * every frame of a signal, computed through FFT cross-correlation so that one frame costs
 * three real FFTs instead of O(window · lags).
 *
 * d(τ) = Σ_{j<W} (x_j − x_{j+τ})² = e(0) + e(τ) − 2·r(τ), where e(τ) is the energy of the
 * window shifted by τ (from prefix sums) and r(τ) the cross-correlation of the window with the
 * frame extended by the largest lag.
 */
/** Called once per frame with its CMNDF (index = lag, entry 0 is 1; reused between calls) and
 * the mean square of its window. */
export type YinVisitor = (frame: number, cmndf: Float32Array, power: number) => void;

export function yinFrames(
  x: Float32Array,
  window: number,
  hop: number,
  maxLag: number,
  frames: number,
  visit: YinVisitor,
): void {
  const span = window + maxLag;
  let n = 1;
  while (n < span) n <<= 1;
  const fft = new FFT(n);
  // The window (real part) and the extended frame (imaginary part) share one complex FFT.
  const packed = new Float64Array(2 * n);
  const spec = new Float64Array(2 * n);
  const prod = new Float64Array(2 * n);
  const corr = new Float64Array(2 * n);
  const prefix = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) prefix[i + 1] = prefix[i] + x[i] * x[i];
  const energy = (from: number): number => {
    const lo = Math.min(x.length, Math.max(0, from));
    const hi = Math.min(x.length, Math.max(0, from + window));
    return prefix[hi] - prefix[lo];
  };
  const cmndf = new Float32Array(maxLag + 1);
  const half = window >> 1;
  for (let f = 0; f < frames; f++) {
    // Frame f is centred on sample f·hop: its window starts half a window earlier.
    const start = Math.round(f * hop) - half;
    packed.fill(0);
    for (let j = 0; j < span; j++) {
      const i = start + j;
      const v = i >= 0 && i < x.length ? x[i] : 0;
      packed[2 * j + 1] = v;
      if (j < window) packed[2 * j] = v;
    }
    const e0 = energy(start);
    cmndf[0] = 1;
    if (e0 <= SILENT_ENERGY) {
      cmndf.fill(1);
      visit(f, cmndf, e0 / window);
      continue;
    }
    fft.transform(spec, packed);
    // Z = A + iB, so A_k = (Z_k + conj Z_{n-k}) / 2 and B_k = (Z_k − conj Z_{n-k}) / 2i;
    // r(τ) = Σ a_j b_{j+τ} is the inverse transform of conj(A)·B.
    for (let k = 0; k < n; k++) {
      const m = (n - k) & (n - 1);
      const zr = spec[2 * k];
      const zi = spec[2 * k + 1];
      const wr = spec[2 * m];
      const wi = spec[2 * m + 1];
      const ar = 0.5 * (zr + wr);
      const ai = 0.5 * (zi - wi);
      const br = 0.5 * (zi + wi);
      const bi = -0.5 * (zr - wr);
      prod[2 * k] = ar * br + ai * bi;
      prod[2 * k + 1] = ar * bi - ai * br;
    }
    fft.inverseTransform(corr, prod);
    let running = 0;
    for (let t = 1; t <= maxLag; t++) {
      const d = Math.max(0, e0 + energy(start + t) - 2 * corr[2 * t]);
      running += d;
      cmndf[t] = running > 0 ? (d * t) / running : 1;
    }
    visit(f, cmndf, e0 / window);
  }
}

/** Below this window energy a frame is digital silence: no period to look for. */
const SILENT_ENERGY = 1e-10;
