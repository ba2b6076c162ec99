/**
 * @file Harmonic/percussive median filtering (Fitzgerald 2010) on a magnitude spectrogram stored
 * frame-major (`[frame][bin]`). Both filters take the median of 9 values: 9 consecutive frames
 * along time (harmonic: steady in time), and 9 bins spaced `FREQ_STEP` apart along frequency
 * (percussive: flat across frequency) — the stride widens the frequency kernel to 17 bins at the
 * cost of 9. Medians come from a fixed 19-exchange selection network, no sorting, no allocation.
 * Edges are handled by clamping indices (replicate padding). Exchanges whose losing side is never
 * read again keep only the surviving value.
 */

export const MEDIAN_TAPS = 9;
const HALF = (MEDIAN_TAPS - 1) / 2;
const FREQ_STEP = 1;

/** Harmonic (time-median) and percussive (frequency-median) enhanced spectrograms of `mag`. */
export function medianFilters(
  mag: Float32Array,
  frames: number,
  bins: number,
  harmonic: Float32Array,
  percussive: Float32Array,
): void {
  const rows = new Int32Array(MEDIAN_TAPS);
  for (let t = 0; t < frames; t++) {
    for (let j = 0; j < MEDIAN_TAPS; j++) rows[j] = clamp(t + j - HALF, frames) * bins;
    const row = t * bins;
    const [r0, r1, r2, r3, r4, r5, r6, r7, r8] = rows;
    for (let f = 0; f < bins; f++) {
      harmonic[row + f] = med9(
        mag[r0 + f],
        mag[r1 + f],
        mag[r2 + f],
        mag[r3 + f],
        mag[r4 + f],
        mag[r5 + f],
        mag[r6 + f],
        mag[r7 + f],
        mag[r8 + f],
      );
    }
    // Away from the edges the frequency window needs no clamping: keep that loop branch-free.
    const lo = HALF * FREQ_STEP;
    const hi = bins - HALF * FREQ_STEP;
    for (let f = 0; f < bins; f++) {
      if (f >= lo && f < hi) {
        const b = row + f;
        percussive[b] = med9(
          mag[b - 4 * FREQ_STEP],
          mag[b - 3 * FREQ_STEP],
          mag[b - 2 * FREQ_STEP],
          mag[b - FREQ_STEP],
          mag[b],
          mag[b + FREQ_STEP],
          mag[b + 2 * FREQ_STEP],
          mag[b + 3 * FREQ_STEP],
          mag[b + 4 * FREQ_STEP],
        );
      } else {
        const at = (j: number) => mag[row + clamp(f + (j - HALF) * FREQ_STEP, bins)];
        percussive[row + f] = med9(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8));
      }
    }
  }
}

function clamp(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Median of 9 values (the array is permuted). Paeth's selection network, as in opt_med9. */
export function median9(p: Float64Array): number {
  return med9(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
}

/** Paeth's 19-exchange median-of-9 network (as in opt_med9) on scalars, so it stays in registers. */
function med9(
  p0: number,
  p1: number,
  p2: number,
  p3: number,
  p4: number,
  p5: number,
  p6: number,
  p7: number,
  p8: number,
): number {
  let t: number;
  if (p1 > p2) {
    t = p1;
    p1 = p2;
    p2 = t;
  }
  if (p4 > p5) {
    t = p4;
    p4 = p5;
    p5 = t;
  }
  if (p7 > p8) {
    t = p7;
    p7 = p8;
    p8 = t;
  }
  if (p0 > p1) {
    t = p0;
    p0 = p1;
    p1 = t;
  }
  if (p3 > p4) {
    t = p3;
    p3 = p4;
    p4 = t;
  }
  if (p6 > p7) {
    t = p6;
    p6 = p7;
    p7 = t;
  }
  if (p1 > p2) {
    t = p1;
    p1 = p2;
    p2 = t;
  }
  if (p4 > p5) {
    t = p4;
    p4 = p5;
    p5 = t;
  }
  if (p7 > p8) {
    t = p7;
    p7 = p8;
    p8 = t;
  }
  if (p0 > p3) {
    p3 = p0;
  }
  if (p5 > p8) {
    p5 = p8;
  }
  if (p4 > p7) {
    t = p4;
    p4 = p7;
    p7 = t;
  }
  if (p3 > p6) {
    t = p3;
    p3 = p6;
    p6 = t;
  }
  if (p1 > p4) {
    p4 = p1;
  }
  if (p2 > p5) {
    t = p2;
    p2 = p5;
    p5 = t;
  }
  if (p4 > p7) {
    p4 = p7;
  }
  if (p4 > p2) {
    t = p4;
    p4 = p2;
    p2 = t;
  }
  if (p6 > p4) {
    p4 = p6;
  }
  if (p4 > p2) {
    p4 = p2;
  }
  return p4;
}
