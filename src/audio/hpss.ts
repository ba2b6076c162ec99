/**
 * Harmonic/percussive median filtering (Fitzgerald 2010) on a magnitude spectrogram stored
 * frame-major (`[frame][bin]`). Both filters take the median of 9 values: 9 consecutive frames
 * along time (harmonic: steady in time), and 9 bins spaced `FREQ_STEP` apart along frequency
 * (percussive: flat across frequency) — the stride widens the frequency kernel to 17 bins at the
 * cost of 9. Medians come from a fixed 19-exchange selection network, no sorting, no allocation.
 * Edges are handled by clamping indices (replicate padding).
 */
export const MEDIAN_TAPS = 9;
const HALF = (MEDIAN_TAPS - 1) / 2;
const FREQ_STEP = 2;

/** Harmonic (time-median) and percussive (frequency-median) enhanced spectrograms of `mag`. */
export function medianFilters(
  mag: Float32Array,
  frames: number,
  bins: number,
  harmonic: Float32Array,
  percussive: Float32Array,
): void {
  const v = new Float64Array(MEDIAN_TAPS);
  const rowIdx = new Int32Array(MEDIAN_TAPS);
  for (let t = 0; t < frames; t++) {
    for (let j = 0; j < MEDIAN_TAPS; j++) rowIdx[j] = clamp(t + j - HALF, frames) * bins;
    const row = t * bins;
    for (let f = 0; f < bins; f++) {
      for (let j = 0; j < MEDIAN_TAPS; j++) v[j] = mag[rowIdx[j] + f];
      harmonic[row + f] = median9(v);
      for (let j = 0; j < MEDIAN_TAPS; j++) v[j] = mag[row + clamp(f + (j - HALF) * FREQ_STEP, bins)];
      percussive[row + f] = median9(v);
    }
  }
}

function clamp(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Median of 9 values (the array is permuted). Paeth's selection network, as in opt_med9. */
export function median9(p: Float64Array): number {
  sort2(p, 1, 2);
  sort2(p, 4, 5);
  sort2(p, 7, 8);
  sort2(p, 0, 1);
  sort2(p, 3, 4);
  sort2(p, 6, 7);
  sort2(p, 1, 2);
  sort2(p, 4, 5);
  sort2(p, 7, 8);
  sort2(p, 0, 3);
  sort2(p, 5, 8);
  sort2(p, 4, 7);
  sort2(p, 3, 6);
  sort2(p, 1, 4);
  sort2(p, 2, 5);
  sort2(p, 4, 7);
  sort2(p, 4, 2);
  sort2(p, 6, 4);
  sort2(p, 4, 2);
  return p[4];
}

function sort2(p: Float64Array, a: number, b: number): void {
  if (p[a] > p[b]) {
    const t = p[a];
    p[a] = p[b];
    p[b] = t;
  }
}
