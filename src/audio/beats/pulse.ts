import { maxAround } from './stats.js';

/**
 * How onset energy sits on a pulse train of a given period: at the pulses, half-way between
 * them, at the thirds, and on alternate pulses. These tell a beat from its subdivision or its
 * multiple where the autocorrelation cannot (all are periodic at every multiple).
 */
export interface PulseProfile {
  period: number;
  /** Frame offset of the pulse train (0 ≤ phase < period) that collects the most onset energy. */
  phase: number;
  /** Mean onset strength at the pulses. */
  on: number;
  /** Mean onset strength half-way between pulses. */
  half: number;
  /** Mean onset strength at one and two thirds between pulses. */
  third: number;
  /** Mean onset strength at the quarter points (1/4 and 3/4) between pulses. */
  quarter: number;
  /** Weaker / stronger of the two alternating pulse sets (1 = even pulse, low = a subdivision). */
  even2: number;
  /** Weakest / strongest of the three pulse sets taken every third pulse. */
  even3: number;
}

/** Frames searched each side of a pulse for its onset (tolerates small drift and rounding). */
const PEAK_RADIUS = 2;
/**
 * Phases are tried one frame apart: onset peaks are only 2–3 frames wide, so a coarser grid can
 * miss them on slow levels and lock onto an off-beat phase. The cost is one pass over the signal
 * per level.
 */
const PHASE_STRIDE = 1;

function combMean(x: Float32Array, phase: number, period: number, from: number, to: number): number {
  let s = 0;
  let k = 0;
  for (let t = phase; t < to; t += period) {
    if (t < from) continue;
    s += maxAround(x, t, PEAK_RADIUS);
    k++;
  }
  return k > 0 ? s / k : 0;
}

/** Pulse profile of `x` (onset strength) at `period` frames, over frames [from, to). */
export function pulseProfile(x: Float32Array, period: number, from = 0, to = x.length): PulseProfile {
  let bestPhase = 0;
  let best = -1;
  const steps = Math.max(1, Math.round(period / PHASE_STRIDE));
  for (let i = 0; i < steps; i++) {
    const ph = from + (i * period) / steps;
    let s = 0;
    let k = 0;
    for (let t = ph; t < to; t += period, k++) {
      const j = Math.round(t);
      s += j < x.length ? x[j] : 0;
    }
    const v = k > 0 ? s / k : 0;
    if (v > best) {
      best = v;
      bestPhase = ph;
    }
  }
  // Refine the phase to the frame with the best peak-picked comb.
  let refined = bestPhase;
  let bestOn = -1;
  const span = Math.ceil(period / steps);
  for (let d = -span; d <= span; d++) {
    const v = combMean(x, bestPhase + d, period, from, to);
    if (v > bestOn) {
      bestOn = v;
      refined = bestPhase + d;
    }
  }
  const on = bestOn;
  const half = combMean(x, refined + period / 2, period, from, to);
  const third =
    0.5 *
    (combMean(x, refined + period / 3, period, from, to) +
      combMean(x, refined + (2 * period) / 3, period, from, to));
  const quarter =
    0.5 *
    (combMean(x, refined + period / 4, period, from, to) +
      combMean(x, refined + (3 * period) / 4, period, from, to));
  const phase = (((refined - from) % period) + period) % period;
  return {
    period,
    phase: from + phase,
    on,
    half,
    third,
    quarter,
    even2: evenness(x, refined, period, 2, from, to),
    even3: evenness(x, refined, period, 3, from, to),
  };
}

/** Weakest / strongest mean over the `k` pulse sets taken every k-th pulse. */
function evenness(
  x: Float32Array,
  phase: number,
  period: number,
  k: number,
  from: number,
  to: number,
): number {
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < k; i++) {
    const v = combMean(x, phase + i * period, k * period, from, to);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > 0 ? lo / hi : 0;
}
