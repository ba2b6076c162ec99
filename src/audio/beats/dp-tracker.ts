/**
 * Global dynamic-programming beat tracker (Ellis 2007): the best beat sequence maximises the
 * summed onset strength at the beats minus a penalty on the log-ratio of every inter-beat
 * interval to the target period. The penalty is soft, so a gently drifting tempo is followed.
 */

/** Weight of the interval penalty against normalised onset strength (Ellis' α, librosa's tightness). */
const DEFAULT_TIGHTNESS = 100;
/** Predecessors are searched within [period/2, 2·period] frames back. */
const MIN_RATIO = 0.5;
const MAX_RATIO = 2;

export interface DpOptions {
  tightness?: number;
}

/**
 * Returns beat frame indices (ascending). `strength` should be roughly unit-scaled (e.g. divided by
 * its standard deviation). `period` is in frames and may be fractional.
 */
export function trackBeats(strength: Float32Array, period: number, opts: DpOptions = {}): Int32Array {
  const n = strength.length;
  if (n === 0 || !(period > 1)) return new Int32Array(0);
  const tight = opts.tightness ?? DEFAULT_TIGHTNESS;
  const lo = Math.max(1, Math.round(period * MIN_RATIO));
  const hi = Math.max(lo, Math.round(period * MAX_RATIO));
  // The interval penalty depends only on the lag: tabulate it once.
  const penalty = new Float64Array(hi + 1);
  for (let d = lo; d <= hi; d++) {
    const r = Math.log(d / period);
    penalty[d] = -tight * r * r;
  }
  const score = new Float64Array(n);
  const back = new Int32Array(n).fill(-1);
  for (let t = 0; t < n; t++) {
    let best = 0;
    let arg = -1;
    const dMax = Math.min(hi, t);
    for (let d = lo; d <= dMax; d++) {
      const v = score[t - d] + penalty[d];
      if (v > best || arg < 0) {
        best = v;
        arg = t - d;
      }
    }
    // Starting a new chain is allowed when no predecessor helps (the start of the song).
    if (arg >= 0 && best > 0) {
      score[t] = strength[t] + best;
      back[t] = arg;
    } else {
      score[t] = strength[t];
    }
  }
  // End at the best-scoring frame in the last period (the chain cannot end much earlier).
  let end = n - 1;
  let endScore = -Infinity;
  for (let t = Math.max(0, n - hi); t < n; t++) {
    if (score[t] > endScore) {
      endScore = score[t];
      end = t;
    }
  }
  const out: number[] = [];
  for (let t = end; t >= 0; t = back[t]) out.push(t);
  out.reverse();
  return Int32Array.from(out);
}
