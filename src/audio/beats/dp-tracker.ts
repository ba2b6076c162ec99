/**
 * Global dynamic-programming beat tracker (Ellis 2007): the best beat sequence maximises the
 * summed onset strength at the beats minus a penalty on the log-ratio of every inter-beat
 * interval to the target period. The penalty is soft, so a gently drifting tempo is followed.
 */

/** Weight of the interval penalty against normalised onset strength (Ellis' α, librosa's tightness). */
const DEFAULT_TIGHTNESS = 300;
/** Predecessors are searched within [period/2, 2·period] frames back. */
const MIN_RATIO = 0.5;
const MAX_RATIO = 2;

export interface DpOptions {
  tightness?: number;
  /**
   * Local period multiplier per frame (see `localTempo`): the target interval ending at frame t
   * is period·ratio[t], so ramps and tempo steps are followed instead of fought.
   */
  ratio?: Float64Array;
}

/**
 * Returns beat frame indices (ascending). `strength` should be roughly unit-scaled (e.g. divided by
 * its standard deviation). `period` is in frames and may be fractional.
 */
export function trackBeats(strength: Float32Array, period: number, opts: DpOptions = {}): Int32Array {
  const n = strength.length;
  if (n === 0 || !(period > 1)) return new Int32Array(0);
  const tight = opts.tightness ?? DEFAULT_TIGHTNESS;
  const ratio = opts.ratio && opts.ratio.length === n ? opts.ratio : undefined;
  let maxRatio = 1;
  if (ratio) for (let t = 0; t < n; t++) if (ratio[t] > maxRatio) maxRatio = ratio[t];
  const hiAll = Math.max(1, Math.round(period * maxRatio * MAX_RATIO));
  const logD = new Float64Array(hiAll + 1);
  for (let d = 1; d <= hiAll; d++) logD[d] = Math.log(d);
  const score = new Float64Array(n);
  const back = new Int32Array(n).fill(-1);
  const logP0 = Math.log(period);
  for (let t = 0; t < n; t++) {
    const p = ratio ? period * ratio[t] : period;
    const logP = ratio ? Math.log(p) : logP0;
    const lo = Math.max(1, Math.round(p * MIN_RATIO));
    const hi = Math.max(lo, Math.round(p * MAX_RATIO));
    let best = 0;
    let arg = -1;
    const dMax = Math.min(hi, t);
    for (let d = lo; d <= dMax; d++) {
      const r = logD[d] - logP;
      const v = score[t - d] - tight * r * r;
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
  const hi = Math.max(1, Math.round((ratio ? period * ratio[n - 1] : period) * MAX_RATIO));
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
