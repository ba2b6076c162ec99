import { maxAround, median, std } from './stats.js';

/**
 * The metered part of a beat sequence and its statistics: which tracked beats belong to the
 * song's pulse, the fitted period, the steadiness of the intervals.
 */

/** Where the metered part starts and ends (see `trimUnsupported`); strengths relative to the median beat. */
const SUPPORT_RADIUS = 3;
const SUPPORT_RUN = 4;
const START_FRACTION = 0.15;
const END_STRONG = 0.8;
const END_SUSTAIN = 0.55;
/** Coefficient of variation of inter-beat intervals at which regularity reaches 0. */
export const CV_IRREGULAR = 0.15;

/**
 * The DP tracker runs its grid from the first frame to the last; outside the metered part (a
 * rubato intro, silence, the reverb tail after the final hit) its beats fall where nothing
 * happens. A beat's strength is the largest onset peak within SUPPORT_RADIUS frames, relative to
 * the median beat. The metered part starts at the first run of SUPPORT_RUN beats of at least
 * START_FRACTION, and ends at the last strong beat (END_STRONG) followed only by beats that keep
 * at least END_SUSTAIN (so a fade-out keeps its beats while a decaying tail does not).
 */
export function trimUnsupported(frames: Int32Array, odf: Float32Array): Float64Array {
  const n = frames.length;
  const s = Float64Array.from(frames, (f) => peakAround(odf, f, SUPPORT_RADIUS));
  const med = median(s);
  let a = 0;
  while (a < n) {
    let run = 0;
    while (run < SUPPORT_RUN && a + run < n && s[a + run] >= START_FRACTION * med) run++;
    if (run === SUPPORT_RUN || a + run === n) break;
    a += run + 1;
  }
  let last = n - 1;
  while (last > a && s[last] < END_STRONG * med) last--;
  let b = last + 1;
  while (b < n && s[b] >= END_SUSTAIN * med) b++;
  return Float64Array.from(frames.subarray(a, b));
}

/** Largest local maximum of x (a frame not smaller than its neighbours) within ±radius of pos. */
function peakAround(x: Float32Array, pos: number, radius: number): number {
  let m = 0;
  for (let i = Math.max(1, pos - radius); i <= Math.min(x.length - 2, pos + radius); i++) {
    if (x[i] > m && x[i] >= x[i - 1] && x[i] >= x[i + 1]) m = x[i];
  }
  return m;
}

/** Least-squares period of beats assumed consecutive; undefined when too few. */
export function fitPeriod(beats: Float64Array): number | undefined {
  const n = beats.length;
  if (n < 3) return n === 2 ? beats[1] - beats[0] : undefined;
  const mi = (n - 1) / 2;
  let mb = 0;
  for (let i = 0; i < n; i++) mb += beats[i];
  mb /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mi) * (beats[i] - mb);
    den += (i - mi) * (i - mi);
  }
  return num / den;
}

export function intervalCv(beats: Float64Array): number {
  if (beats.length < 3) return 1;
  const d = new Float64Array(beats.length - 1);
  for (let i = 0; i < d.length; i++) d[i] = beats[i + 1] - beats[i];
  const m = d.reduce((s, v) => s + v, 0) / d.length;
  return m > 0 ? std(d) / m : 1;
}

/** Mean onset strength at the beats (peak within ±2 frames). */
export function contrastBase(odf: Float32Array, beats: Float64Array): number {
  let s = 0;
  for (let i = 0; i < beats.length; i++) s += maxAround(odf, beats[i], 2);
  return beats.length > 0 && s > 0 ? s / beats.length : 1;
}
