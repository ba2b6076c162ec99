import { beatHarmony } from './harmony.js';
import type { OnsetStrength } from './onset-strength.js';
import { maxAround, mean, std } from './stats.js';

/**
 * Downbeats and meter by scoring bar phases. Every tracked beat gets an accent made of three
 * z-scored cues — low-band onset strength (kick, bass note), full-band onset strength, and the
 * change of the spectral envelope from the previous beat to this one (chords and bass lines
 * change on the bar) — and every bar length B ∈ {2, 3, 4} and phase p is scored by how much
 * the beats at p, p+B, p+2B… stand out from the others.
 */
export const BAR_LENGTHS = [2, 3, 4] as const;
/** Doubled-tempo test (see `doubledBeats`): an 8-beat kick cycle with no shorter one. */
const DOUBLED_BAR = 8;
const DOUBLED_LOW_MIN = 1;
const DOUBLED_LOW_SHORT_MAX = 0.4;
const PEAK_RADIUS = 2;
/** Relative weight of the cues in the accent (spectral change is the most bar-specific). */
const W_LOW = 0.5;
const W_ALL = 0.25;
const W_CHANGE = 1.5;
/**
 * Chord and bass chroma change: weighted by how clear each is in this song (`clarity`): a song
 * whose chords change on every bar line gets them at full weight, one that holds a chord or
 * changes it anywhere gets none (BENCHMARKS.md, "Downbeats from harmonic and bass changes").
 */
const W_CHORD = 1.5;
const W_BASS = 0.75;
const CLARITY_VAGUE = 1;
const CLARITY_CLEAR = 2.5;
/**
 * Two-beat bars in simple time (2/4) are rare next to 4/4, whose kick on 1 and 3 also makes a
 * two-beat accent pattern: 2 must beat 4 by this margin of contrast.
 */
const SHORT_BAR_MARGIN = 0.25;

export interface MeterInput {
  beats: Float64Array; // frame positions
  odf: Float32Array;
  low: Float32Array;
  logMel: Float32Array;
  bands: number;
  /** The decimated mono signal at `rate`, and the frame rate of `beats` (for chord and bass chroma). */
  signal?: Float32Array;
  rate?: number;
  frameRate?: number;
}

/** The meter's signals from the onset analysis (all of MeterInput but the beats). */
export function meterSignals(os: OnsetStrength): Omit<MeterInput, 'beats'> {
  const { odf, low, logMel, bands, signal, rate, frameRate } = os;
  return { odf, low, logMel, bands, signal, rate, frameRate };
}

export interface MeterResult {
  beatsPerBar: number;
  /** Index (0..beatsPerBar-1) of the first downbeat among the beats. */
  phase: number;
  /** Contrast of the best phase for every bar length. */
  scores: Record<number, number>;
  /** 0..1: how clearly the chosen bar length beats the runner-up (relative margin). */
  confidence: number;
  /** Best bar phase of the accent over the runner-up phase, in standard errors (`clarity`). */
  phaseClarity: number;
  /** That clarity mapped to 0..1 as a cue's (vague below CLARITY_VAGUE, clear from CLARITY_CLEAR). */
  phaseClear: number;
}

function zscore(x: Float64Array): void {
  const m = mean(x);
  const s = std(x) || 1;
  for (let i = 0; i < x.length; i++) x[i] = (x[i] - m) / s;
}

interface Cues {
  low: Float64Array;
  all: Float64Array;
  change: Float64Array;
  /** Chord and bass chroma change (z-scored; zeros without a signal). */
  chord: Float64Array;
  bass: Float64Array;
}

/** Every z-scored cue of every beat, and the accent made of them (development: bench/beats/downbeat-cues.ts). */
export function meterCues(input: MeterInput): Record<string, Float64Array> {
  const cues = beatCues(input);
  return { ...cues, accent: beatAccents(input, cues) };
}

/** Every cue with its weight in the accent (the chroma cues scaled by their clarity). */
function weightedCues(cues: Cues): [Float64Array, number][] {
  return [
    [cues.low, W_LOW],
    [cues.all, W_ALL],
    [cues.change, W_CHANGE],
    [cues.chord, W_CHORD * clearOf(clarity(cues.chord))],
    [cues.bass, W_BASS * clearOf(clarity(cues.bass))],
  ];
}

/** Accent of every beat (z-scored mixture of the cues). */
export function beatAccents(input: MeterInput, cues = beatCues(input)): Float64Array {
  const acc = new Float64Array(cues.low.length);
  for (const [c, w] of weightedCues(cues)) if (w > 0) for (let i = 0; i < acc.length; i++) acc[i] += w * c[i];
  return acc;
}

/**
 * Evidence for bar length `len` cue by cue: the weighted sum of every cue's own best-phase
 * contrast. Unlike the accent's contrast, cues that mark different beats of the same bar (a
 * waltz's bass note on 1, its snare chords on 2 and 3) add up instead of cancelling.
 */
function cueWiseScore(weighted: [Float64Array, number][], len: number): number {
  let s = 0;
  for (const [c, w] of weighted) if (w > 0) s += w * barContrast(c, len).contrast;
  return s;
}

/**
 * How clearly a z-scored cue marks one phase of some bar length: the best phase's mean over the
 * runner-up's, in standard errors of a phase mean (t-like), the best over the bar lengths.
 */
export function clarity(cue: Float64Array, lengths: readonly number[] = BAR_LENGTHS): number {
  let best = 0;
  for (const len of lengths) {
    const means: number[] = [];
    let nMin = Infinity;
    for (let p = 0; p < len; p++) {
      let s = 0;
      let n = 0;
      for (let i = p; i < cue.length; i += len, n++) s += cue[i];
      if (n === 0) return 0;
      means.push(s / n);
      nMin = Math.min(nMin, n);
    }
    means.sort((a, b) => b - a);
    best = Math.max(best, (means[0] - means[1]) * Math.sqrt(nMin / 2));
  }
  return best;
}

/** A cue's `clarity` as 0 for a vague cue, 1 for a clear one, linear between. */
function clearOf(c: number): number {
  return Math.max(0, Math.min(1, (c - CLARITY_VAGUE) / (CLARITY_CLEAR - CLARITY_VAGUE)));
}

/** The three z-scored cues of every beat. */
function beatCues(input: MeterInput, harmony = true): Cues {
  const { beats, odf, low, logMel, bands } = input;
  const k = beats.length;
  const lowA = new Float64Array(k);
  const allA = new Float64Array(k);
  const change = new Float64Array(k);
  const frames = odf.length;
  // Mean spectral envelope of every inter-beat span.
  const env = new Float64Array((k + 1) * bands);
  for (let i = 0; i <= k; i++) {
    const a = i === 0 ? 0 : Math.round(beats[i - 1]);
    const b = i === k ? frames : Math.round(beats[i]);
    const n = Math.max(1, b - a);
    for (let t = a; t < b; t++) for (let j = 0; j < bands; j++) env[i * bands + j] += logMel[t * bands + j];
    for (let j = 0; j < bands; j++) env[i * bands + j] /= n;
  }
  for (let i = 0; i < k; i++) {
    lowA[i] = maxAround(low, beats[i], PEAK_RADIUS);
    allA[i] = maxAround(odf, beats[i], PEAK_RADIUS);
    // Span i is before beat i, span i+1 after it.
    let d = 0;
    for (let j = 0; j < bands; j++) {
      const v = env[(i + 1) * bands + j] - env[i * bands + j];
      d += v * v;
    }
    change[i] = i === 0 ? 0 : Math.sqrt(d);
  }
  if (k > 1) change[0] = mean(change, 1, k);
  zscore(lowA);
  zscore(allA);
  zscore(change);
  let chord: Float64Array = new Float64Array(k);
  let bass: Float64Array = new Float64Array(k);
  if (harmony && input.signal && input.rate && input.frameRate) {
    ({ chord, bass } = beatHarmony(input.signal, input.rate, input.frameRate, beats));
    zscore(chord);
    zscore(bass);
  }
  return { low: lowA, all: allA, change, chord, bass };
}

/**
 * True when the beats are twice too fast, judged from the bar structure: the bass drum comes
 * back only every 8 beats (with no 2-, 3- or 4-beat recurrence) and the harmony changes on that same
 * 8-beat cycle — a bar no common simple meter has. This is the reggae one-drop, whose off-beat
 * skank makes the doubled pulse as even as the real one. A kick every 3 beats is a waltz's bar
 * (its 2-bar chord cycle of 6 beats can pass for the 8-beat one on a short song), never a
 * one-drop. Returns the parity of the beats to keep.
 */
export function doubledBeats(input: MeterInput): { halve: boolean; parity: number } {
  if (input.beats.length < 4 * DOUBLED_BAR) return { halve: false, parity: 0 };
  const { low, change } = beatCues(input, false);
  const low8 = barContrast(low, DOUBLED_BAR);
  // Any bar length's kick cycle (a waltz's every 3 beats too) rules the 8-beat one out.
  const lowShort = Math.max(...BAR_LENGTHS.map((len) => barContrast(low, len).contrast));
  const halve =
    low8.contrast > DOUBLED_LOW_MIN &&
    lowShort < DOUBLED_LOW_SHORT_MAX &&
    barContrast(change, DOUBLED_BAR).contrast > barContrast(change, 4).contrast;
  return { halve, parity: low8.phase % 2 };
}

/** Best phase and its contrast for bar length `len`. */
export function barContrast(acc: Float64Array, len: number): { phase: number; contrast: number } {
  let best = -Infinity;
  let phase = 0;
  const total = acc.reduce((s, v) => s + v, 0);
  for (let p = 0; p < len; p++) {
    let s = 0;
    let n = 0;
    for (let i = p; i < acc.length; i += len, n++) s += acc[i];
    const rest = acc.length - n;
    if (n === 0 || rest === 0) continue;
    const c = s / n - (total - s) / rest;
    if (c > best) {
      best = c;
      phase = p;
    }
  }
  return { phase, contrast: best === -Infinity ? 0 : best };
}

/**
 * `compound`: the beat divides in three. Then the bar is 2 or 3 beats (6/8, or the rarer 9/8,
 * which must win by the same margin); a 12/8
 * bar cannot be told from two 6/8 bars by accents alone and is reported as 6/8.
 */
export function estimateMeter(input: MeterInput, compound = false): MeterResult {
  const cues = beatCues(input);
  const acc = beatAccents(input, cues);
  const scores: Record<number, number> = {};
  const phases: Record<number, number> = {};
  for (const len of BAR_LENGTHS) {
    const r = barContrast(acc, len);
    scores[len] = r.contrast;
    phases[len] = r.phase;
  }
  const lengths: readonly number[] = compound ? [2, 3] : BAR_LENGTHS;
  // The rarer bar of each pair (9/8 against 6/8, 2/4 against 4/4) must win on the accents by a
  // margin and must not be contradicted by the harmonic rhythm (where the spectrum changes).
  const change = cues.change;
  const harmony = (len: number): number => barContrast(change, len).contrast;
  // A three-beat bar is told from two- and four-beat ones cue by cue (`cueWiseScore`); its
  // margin then comes from those scores.
  const weighted = compound ? [] : weightedCues(cues);
  const decide: Record<number, number> = compound
    ? scores
    : Object.fromEntries(BAR_LENGTHS.map((l) => [l, cueWiseScore(weighted, l)]));
  let best: number;
  if (compound) best = scores[3] > scores[2] + SHORT_BAR_MARGIN && harmony(3) > harmony(2) ? 3 : 2;
  else if (decide[3] > Math.max(decide[2], decide[4])) best = 3;
  else best = scores[2] > scores[4] + SHORT_BAR_MARGIN && harmony(2) >= harmony(4) ? 2 : 4;
  const basis = best === 3 && !compound ? decide : scores;
  const others = lengths.filter((l) => l !== best).map((l) => basis[l]);
  const margin = basis[best] - Math.max(...others);
  const confidence = Math.max(0, Math.min(1, margin / Math.max(1e-9, Math.abs(basis[best]))));
  const z = Float64Array.from(acc);
  zscore(z);
  const phaseClarity = clarity(z, [best]);
  return {
    beatsPerBar: best,
    phase: phases[best],
    scores,
    confidence,
    phaseClarity,
    phaseClear: clearOf(phaseClarity),
  };
}
