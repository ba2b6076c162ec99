import type { OnsetStrength } from './onset-strength.js';
import { pulseProfile } from './pulse.js';
import { acfAt, acfNear, LATTICE, type LevelInfo, type TempoPeak } from './tempo.js';

/**
 * The metrical lattice: the reference periodicity and the levels P·2^a·3^b around it, each
 * snapped to its autocorrelation peak and given a pulse profile (see `chooseLevel`).
 */

/** Reference peak for the metrical lattice is looked for in this tempo range first. */
const REF_MIN_BPM = 40;
const REF_MAX_BPM = 240;
/** How many of the strongest peaks compete to be the reference, and the period multiples that support one. */
const REF_PEAKS = 8;
const REF_SUPPORT = [0.5, 2, 4];
/** Slowest level considered (a long bar). */
const LATTICE_MIN_BPM = 15;
const LATTICE_MAX_BPM = 600;
/** Lattice levels snap to the autocorrelation peak within this relative distance. */
const SNAP_TOLERANCE = 0.03;

/**
 * The peak whose metrical lattice is best supported: every level of a true meter (bar, beat,
 * subdivision) is itself periodic, so the right reference collects autocorrelation at its
 * multiples and fractions, while a spurious peak (e.g. a 2/5 relation) does not.
 */
export function referencePeak(peaks: TempoPeak[], acf: Float64Array): TempoPeak | undefined {
  let best: TempoPeak | undefined;
  let bestScore = -Infinity;
  for (const p of peaks.slice(0, REF_PEAKS)) {
    if (p.bpm < REF_MIN_BPM || p.bpm > REF_MAX_BPM) continue;
    let s = p.acf;
    for (const m of REF_SUPPORT) s += 0.5 * acfNear(acf, p.period * m, SNAP_TOLERANCE);
    if (s > bestScore) {
      bestScore = s;
      best = p;
    }
  }
  return best;
}

/** Levels P0·m of the lattice, each snapped to its autocorrelation peak and profiled. */
export function lattice(os: OnsetStrength, acf: Float64Array, p0: number): LevelInfo[] {
  const fr = os.frameRate;
  const out: LevelInfo[] = [];
  for (const m of LATTICE) {
    let period = p0 / m;
    const bpm = (60 * fr) / period;
    if (bpm < LATTICE_MIN_BPM || bpm > LATTICE_MAX_BPM || period < 2 || period * 2 > os.odf.length) continue;
    period = snap(acf, period);
    const pp = pulseProfile(os.odf, period);
    const lp = pulseProfile(os.low, period);
    out.push({
      period,
      bpm: (60 * fr) / period,
      acf: acfAt(acf, period),
      half: pp.on > 0 ? pp.half / pp.on : 0,
      lowHalf: lp.on > 0 ? lp.half / lp.on : 0,
      quarter: pp.on > 0 ? pp.quarter / pp.on : 0,
      third: pp.on > 0 ? pp.third / pp.on : 0,
      even2: pp.even2,
    });
  }
  return out;
}

function snap(acf: Float64Array, period: number): number {
  const a = Math.max(1, Math.floor(period * (1 - SNAP_TOLERANCE)));
  const b = Math.min(acf.length - 2, Math.ceil(period * (1 + SNAP_TOLERANCE)));
  let best = -Infinity;
  let arg = -1;
  for (let i = a; i <= b; i++) {
    if (acf[i] > best && acf[i] >= acf[i - 1] && acf[i] >= acf[i + 1]) {
      best = acf[i];
      arg = i;
    }
  }
  if (arg < 0) return period;
  const d = acf[arg - 1] - 2 * acf[arg] + acf[arg + 1];
  return d < 0 ? arg + (0.5 * (acf[arg - 1] - acf[arg + 1])) / d : arg;
}
