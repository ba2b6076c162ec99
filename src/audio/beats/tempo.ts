/**
 * @file Tempo candidates from the autocorrelation of the onset strength. The autocorrelation
 * alone cannot tell a beat from its half or double (every multiple of the period correlates
 * too), so each level of the metrical lattice (levels.ts) is also scored by how the onset
 * energy is distributed around its pulse positions (see `pulseProfile`); `chooseLevel` below
 * combines both.
 */

import { parabolicOffset } from './stats.js';

export const MIN_BPM = 30;
export const MAX_BPM = 300;

export interface TempoPeak {
  /** Period in frames (fractional, refined by parabolic interpolation). */
  period: number;
  bpm: number;
  /** Normalised autocorrelation at the peak (1 = perfectly periodic). */
  acf: number;
}

/** Normalised, unbiased autocorrelation of the mean-removed signal for lags 0..maxLag. */
export function autocorrelation(x: Float32Array, maxLag: number): Float64Array {
  const n = x.length;
  const L = Math.min(maxLag, n - 1);
  const out = new Float64Array(Math.max(0, L + 1));
  if (n < 2) return out;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i] - m;
  for (let lag = 0; lag <= L; lag++) {
    let s = 0;
    for (let i = lag; i < n; i++) s += y[i] * y[i - lag];
    out[lag] = s / (n - lag);
  }
  const z = out[0] > 0 ? out[0] : 1;
  for (let lag = 0; lag <= L; lag++) out[lag] /= z;
  return out;
}

/** Local maxima of the autocorrelation between MIN_BPM and MAX_BPM, strongest first. */
export function tempoPeaks(acf: Float64Array, frameRate: number): TempoPeak[] {
  const minLag = Math.max(2, Math.floor((60 * frameRate) / MAX_BPM));
  const maxLag = Math.min(acf.length - 2, Math.ceil((60 * frameRate) / MIN_BPM));
  const peaks: TempoPeak[] = [];
  for (let lag = minLag; lag <= maxLag; lag++) {
    const v = acf[lag];
    if (v > 0 && v >= acf[lag - 1] && v > acf[lag + 1]) {
      const period = lag + parabolicOffset(acf[lag - 1], v, acf[lag + 1]);
      peaks.push({ period, bpm: (60 * frameRate) / period, acf: v });
    }
  }
  return peaks.sort((a, b) => b.acf - a.acf);
}

/** Autocorrelation at a fractional lag (linear interpolation). */
export function acfAt(acf: Float64Array, lag: number): number {
  const i = Math.floor(lag);
  if (i < 0 || i + 1 >= acf.length) return 0;
  const f = lag - i;
  return acf[i] * (1 - f) + acf[i + 1] * f;
}

/** Highest autocorrelation within ±`tol` (relative) of `lag`. */
export function acfNear(acf: Float64Array, lag: number, tol = 0.03): number {
  const a = Math.max(1, Math.floor(lag * (1 - tol)));
  const b = Math.min(acf.length - 1, Math.ceil(lag * (1 + tol)));
  let m = 0;
  for (let i = a; i <= b; i++) if (acf[i] > m) m = acf[i];
  return m;
}

/**
 * Choosing the beat among the metrical levels (the ×½/×2/×3 ambiguity).
 *
 * The levels form a lattice of periods P0·2^a·3^b around the strongest autocorrelation peak.
 * Starting from the slowest plausible level (about a bar or two), we descend to a faster level
 * while the pulses it adds — half-way (×2) or at the thirds (×3) between the current pulses —
 * are nearly as strong as the current ones: such a level is a real, even pulse, whereas a
 * subdivision (eighth notes under quarter beats) adds markedly weaker pulses. Very fast levels
 * need a stronger case: above FAST_BPM only a near-metronomic pulse is taken as the beat.
 */
export interface LevelInfo {
  period: number;
  bpm: number;
  acf: number;
  /** Strength half-way between pulses relative to the pulses (ratio). */
  half: number;
  /**
   * The same ratio in the low band alone (kick, bass notes): a bass line on every beat under a
   * half-time drum pattern (snare on 3) shows the beat where the full band shows only its half.
   */
  lowHalf: number;
  /** Strength at the thirds between pulses relative to the pulses. */
  third: number;
  /** Strength at the quarter points (¼, ¾) between pulses relative to the pulses. */
  quarter: number;
  /** Weaker / stronger of the alternating pulse sets. */
  even2: number;
}

/** Relative tolerance when looking up the level k times faster (levels are snapped to ACF peaks). */
const LEVEL_MATCH = 0.045;
/** Descend to the faster level when its added pulses are at least this strong (relative). */
const DESCEND_RATIO = 0.5;
/**
 * Thirds are weaker evidence needed: in simple time they are never a subdivision of the beat,
 * while the eighths of a compound beat stay well below this (about a third of the beat).
 */
const DESCEND_RATIO_3 = 0.45;
/** Levels whose autocorrelation is below this fraction of the best one are not metrical. */
const MIN_LEVEL_ACF = 0.3;
/** Beat levels faster than this need metronome-like evidence. */
export const FAST_BPM = 200;
const FAST_DESCEND_RATIO = 0.9;
const FAST_EVENNESS = 0.9;
/** …and no subdivision of their own (a metronome, not sixteenths under a funk groove). */
const FAST_MAX_HALF = 0.2;
/**
 * The low band's half-way pulses (a bass note on every beat under a half-time groove) may take the
 * walk to a faster level up to this tempo; above it (eighth-note bass lines under a rock beat)
 * they are a subdivision.
 */
const LOW_HALF_MAX_BPM = 175;
/** Levels slower than this are bars, not beats: descend on weaker evidence. */
const SLOW_BPM = 50;
const SLOW_DESCEND_RATIO = 0.3;
/** The walk starts at the most periodic level between START_BPM and SLOW_BPM. */
const START_BPM = 20;

export function chooseLevel(levels: LevelInfo[]): LevelInfo | undefined {
  if (levels.length === 0) return undefined;
  const byBpm = [...levels].sort((a, b) => a.bpm - b.bpm);
  // A metrical level is itself periodic: levels far below the best autocorrelation are not
  // levels of this song's meter (e.g. 3/8 of a bar), whatever sits at their pulse positions.
  const maxAcf = Math.max(...levels.map((l) => l.acf));
  const eligible = (l: LevelInfo): boolean => l.acf >= MIN_LEVEL_ACF * maxAcf;
  // Start from the most periodic bar-like level (the bar usually repeats best of all).
  let cur = byBpm.find((l) => l.bpm >= START_BPM) ?? byBpm[byBpm.length - 1];
  for (const l of byBpm) if (l.bpm >= START_BPM && l.bpm < SLOW_BPM && l.acf > cur.acf) cur = l;
  for (;;) {
    const at = cur;
    const find = (k: number): LevelInfo | undefined =>
      byBpm.find((l) => Math.abs(l.bpm / (at.bpm * k) - 1) < LEVEL_MATCH && eligible(l));
    // ×4 (the added pulses at ¼, ½, ¾) only when neither ×2 nor ×3 qualifies: it bridges a weak
    // third beat, as in a drum'n'bass bar whose kick skips beat 3.
    const steps: [number, number, number][] = [
      [
        2,
        at.bpm < SLOW_BPM || 2 * at.bpm > LOW_HALF_MAX_BPM ? at.half : Math.max(at.half, at.lowHalf),
        DESCEND_RATIO,
      ],
      [3, at.third, DESCEND_RATIO_3],
      [4, (at.half + 2 * at.quarter) / 3, DESCEND_RATIO],
    ];
    let next: LevelInfo | undefined;
    let bestR = -1;
    for (const [k, r, ratio] of steps) {
      if (k === 4 && next) break;
      const lv = find(k);
      if (!lv) continue;
      const need = lv.bpm > FAST_BPM ? FAST_DESCEND_RATIO : at.bpm < SLOW_BPM ? SLOW_DESCEND_RATIO : ratio;
      const evenOk = lv.bpm <= FAST_BPM || (lv.even2 >= FAST_EVENNESS && lv.half <= FAST_MAX_HALF);
      if (r >= need && evenOk && r > bestR) {
        bestR = r;
        next = lv;
      }
    }
    if (!next && at.bpm < SLOW_BPM) {
      // A beat this slow is implausible: take the strongest faster level whatever its strength.
      for (const [k, r] of steps) {
        const lv = find(k);
        if (lv && lv.bpm <= FAST_BPM && r > bestR) {
          bestR = r;
          next = lv;
        }
      }
    }
    if (!next) return cur;
    cur = next;
  }
}

/**
 * How clear the level choice was, from the same ratios `chooseLevel` decides on: the margin by
 * which the chosen level's own subdivision stayed below the descent threshold (else it would be
 * twice as fast), and by which the level half as fast had pulses half-way strong enough to
 * descend to this one (else it would be half as fast). The smaller of the two, negative when
 * the choice went against the plain ×2 rule (a special case decided it); 1 when neither
 * neighbour exists.
 */
export function levelMargin(levels: LevelInfo[], chosen: LevelInfo): number {
  const near = (bpm: number): LevelInfo | undefined =>
    levels.find((l) => Math.abs(l.bpm / bpm - 1) < LEVEL_MATCH);
  let m = 1;
  if (near(chosen.bpm * 2)) m = Math.min(m, DESCEND_RATIO - Math.max(chosen.half, chosen.lowHalf));
  const slow = near(chosen.bpm / 2);
  if (slow) m = Math.min(m, Math.max(slow.half, slow.lowHalf) - DESCEND_RATIO);
  return m;
}

/**
 * Tempo multipliers of the reference level that make up the metrical lattice: 2^a·3^b, so that
 * a reference that is itself no metrical level (half a 6/8 bar) still spans the true ones.
 */
export const LATTICE: readonly number[] = (() => {
  const out: number[] = [];
  for (let a = -4; a <= 4; a++) for (let b = -2; b <= 2; b++) out.push(2 ** a * 3 ** b);
  return out.sort((x, y) => x - y);
})();
