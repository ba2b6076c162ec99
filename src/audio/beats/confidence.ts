import { contrastBase } from './metered.js';
import { maxAround, mean, median } from './stats.js';

/**
 * Quantities measured on a tracked beat sequence that relate to how wrong it may be. Each one
 * names a way the tracker fails: a half-beat phase (off-beats as strong as the beats, over the
 * whole song or in some sections), beats on no onset (a free-tempo or drumless stretch), an
 * unsteady sequence (the tracker jumping), and a pulse too weak to tell.
 */
export interface ConfidenceTerms {
  /** Autocorrelation of the onset strength at the beat period (0..1). */
  acf: number;
  /** Onset strength at the beats over its mean. */
  salience: number;
  /** Onset strength at the beats over that half-way between them: full band, low band. */
  offFull: number;
  offLow: number;
  /** Share of 8-beat sections whose off-beats (both bands) are as strong as their beats. */
  flipShare: number;
  /** Share of beats on an onset peak (strength at the beat above the song's median strength). */
  onPeak: number;
  /** Share of successive beat intervals that change by more than 8 %. */
  jumpShare: number;
  /** Tracked span over the song's duration. */
  coverage: number;
  /** Weaker over stronger of the odd and even beats' onset strength: low when every other beat is an off-beat (tracked twice too fast). */
  alternation: number;
  /** Share of 8-beat sections whose low band (kick, bass) is stronger half-way between the beats. */
  lowFlipShare: number;
  /** Margin of the metrical-level choice (`levelMargin`): small or negative = octave-ambiguous. */
  levelMargin: number;
  /** The octave check's cues on the final beats (`octaveCues`): half-beat, quarter-beat, low-band half-beat over the beats, low-band parity evenness. */
  half?: number;
  quarter?: number;
  lowHalf?: number;
  lowAlternation?: number;
  /** Snare body on one pulse in 4 and not two after it (`backbeatCycle`): a backbeat read at double. */
  backbeat?: number;
  /** The octave check moved the level (0.5 halved, 2 doubled, 1 kept). */
  octave?: number;
  /** The beat divides in three (6/8): the division term does not apply. */
  compound?: boolean;
  /** Share of sections whose own periodicity disagrees with the tracked interval (`offPeriodShare`). */
  offPeriod?: number;
  /** Share of the beats whose local tempo is within 4 % of the reported one (`shareAtPeriod`). */
  tempoShare?: number;
  /** `offSnare` moved the beats off the snare hits onto the beat. */
  snareMoved?: boolean;
  /** The meter's evidence (`estimateMeter`): the bar length's relative margin over the runner-up, the bar phase's clarity (standard errors). */
  meterLength?: number;
  meterPhase?: number;
  /** The bar phase's clarity mapped to 0..1 (`MeterResult.phaseClear`); absent without a meter. */
  barClear?: number;
  /** Share of the free beats on the click grid the beats were held to (`clickGrid`); absent when none held. */
  clickShare?: number;
}

const WINDOW = 8;
const HOP = 4;
const JUMP = 0.08;

/** The terms for `beats` (frame positions) on the full-band and low-band onset strengths. */
export function confidenceTerms(
  odf: Float32Array,
  low: Float32Array,
  beats: Float64Array,
  acf: number,
  frames: number,
  levelMargin: number,
): ConfidenceTerms {
  const n = beats.length;
  const mids = halfway(beats);
  const offFull = ratio(contrastBase(odf, beats), contrastBase(odf, mids));
  const offLow = ratio(contrastBase(low, beats), contrastBase(low, mids));
  let windows = 0;
  let flipped = 0;
  let lowFlipped = 0;
  for (let i = 0; i + WINDOW <= n; i += HOP) {
    const b = beats.subarray(i, i + WINDOW);
    const m = mids.subarray(i, i + WINDOW - 1);
    const full = ratio(contrastBase(odf, b), contrastBase(odf, m));
    const lo = ratio(contrastBase(low, b), contrastBase(low, m));
    windows++;
    if (Math.max(full, lo) < 1) flipped++;
    if (lo < 1) lowFlipped++;
  }
  const med = median(odf);
  let on = 0;
  for (let i = 0; i < n; i++) if (maxAround(odf, beats[i], 2) > med) on++;
  let jumps = 0;
  for (let i = 2; i < n; i++) {
    const a = beats[i - 1] - beats[i - 2];
    const b = beats[i] - beats[i - 1];
    if (a > 0 && Math.abs(b / a - 1) > JUMP) jumps++;
  }
  return {
    acf,
    salience: contrastBase(odf, beats) / (mean(odf) || 1),
    offFull,
    offLow,
    flipShare: windows > 0 ? flipped / windows : 0,
    onPeak: n > 0 ? on / n : 0,
    jumpShare: n > 2 ? jumps / (n - 2) : 0,
    coverage: n > 1 && frames > 0 ? (beats[n - 1] - beats[0]) / frames : 0,
    alternation: alternation(odf, beats),
    lowFlipShare: windows > 0 ? lowFlipped / windows : 0,
    levelMargin,
  };
}

/** Weaker over stronger of the odd and even beats' summed onset strength (1 = every beat alike). */
export function alternation(odf: Float32Array, beats: Float64Array): number {
  let a = 0;
  let b = 0;
  for (let i = 0; i < beats.length; i++) {
    const v = maxAround(odf, beats[i], 2);
    if (i % 2 === 0) a += v;
    else b += v;
  }
  const hi = Math.max(a, b);
  return hi > 0 ? Math.min(a, b) / hi : 1;
}

function halfway(beats: Float64Array): Float64Array {
  const mids = new Float64Array(Math.max(0, beats.length - 1));
  for (let i = 0; i < mids.length; i++) mids[i] = 0.5 * (beats[i] + beats[i + 1]);
  return mids;
}

const ratio = (on: number, off: number): number => (off > 0 ? on / off : 1);
