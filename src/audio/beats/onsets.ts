import { FLUX_DELAY } from './onset-strength.js';
import { parabolicOffset } from './stats.js';

/**
 * Onset times by peak picking the onset strength: a frame is an onset when it is the maximum of
 * its ±PEAK_RADIUS neighbourhood and rises above the local mean by a multiple of the global
 * standard deviation (an adaptive threshold, so quiet passages keep their onsets).
 */
const PEAK_RADIUS = 3;
const MEAN_RADIUS = 10;
const DELTA = 0.5;
const MIN_GAP_SECONDS = 0.06;

/** Onset times in seconds; `floor` is an absolute minimum strength (e.g. from silence). */
export interface PeakOptions {
  delta?: number;
  radius?: number;
  minGapSeconds?: number;
}

export function pickOnsets(
  odf: Float32Array,
  frameRate: number,
  floor = 0,
  o: PeakOptions = {},
): Float64Array {
  const delta = o.delta ?? DELTA;
  const radius = o.radius ?? PEAK_RADIUS;
  const n = odf.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += odf[i];
  m /= Math.max(1, n);
  let v = 0;
  for (let i = 0; i < n; i++) v += (odf[i] - m) * (odf[i] - m);
  const sd = Math.sqrt(v / Math.max(1, n));
  // Running sum for the local mean.
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i] + odf[i];
  const out: number[] = [];
  const minGap = (o.minGapSeconds ?? MIN_GAP_SECONDS) * frameRate;
  let last = -Infinity;
  for (let i = 1; i < n - 1; i++) {
    const x = odf[i];
    if (x <= floor) continue;
    let isMax = true;
    for (let j = Math.max(0, i - radius); j <= Math.min(n - 1, i + radius); j++) {
      if (odf[j] > x || (odf[j] === x && j < i)) {
        isMax = false;
        break;
      }
    }
    if (!isMax) continue;
    const a = Math.max(0, i - MEAN_RADIUS);
    const b = Math.min(n, i + MEAN_RADIUS + 1);
    const local = (cum[b] - cum[a]) / (b - a);
    if (x < local + delta * sd) continue;
    const pos = i + parabolicOffset(odf[i - 1], x, odf[i + 1]);
    if (pos - last < minGap) continue;
    out.push(Math.max(0, pos - FLUX_DELAY) / frameRate);
    last = pos;
  }
  return Float64Array.from(out);
}
