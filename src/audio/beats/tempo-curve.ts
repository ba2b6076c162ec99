import { median } from './stats.js';

/**
 * The local tempo curve reported with the beats, and whether the tempo is steady. Both come from
 * the tracked beats themselves: the tempo around beat i is 60 / (mean interval over ±HALF_SPAN
 * beats), read once per bar.
 */
const HALF_SPAN = 2;
/** Steady: every local tempo within ±STEADY of the median one. */
const STEADY = 0.02;

export interface TempoPoint {
  time: number;
  bpm: number;
}

/** Local tempo (over ±HALF_SPAN beats) at every `every`-th beat. `beats` are seconds. */
export function tempoCurve(beats: Float64Array, every: number): TempoPoint[] {
  const n = beats.length;
  const out: TempoPoint[] = [];
  if (n < 2) return out;
  const step = Math.max(1, every);
  for (let i = 0; i < n; i += step) {
    const a = Math.max(0, i - HALF_SPAN);
    const b = Math.min(n - 1, i + HALF_SPAN);
    const span = beats[b] - beats[a];
    if (span > 0) out.push({ time: round3(beats[i]), bpm: round2((60 * (b - a)) / span) });
  }
  return out;
}

/** True when the local tempo (beat frames, any unit) stays within ±STEADY of its median. */
export function tempoSteady(beats: Float64Array): boolean {
  const local = localIntervals(beats);
  if (local.length === 0) return true;
  const m = median(local);
  if (!(m > 0)) return true;
  // Single outliers (a beat missed or doubled on a fill) do not make a song unsteady: 90 % must hold.
  return local.length - countNear(local, m, STEADY) <= 0.1 * local.length;
}

/**
 * Share of the beats whose local interval (over ±HALF_SPAN beats) is within ±`tol` of `period`
 * (same unit as the beats): how much of the song is played at the tempo reported for it. A
 * tempo step splits the song, and its median then describes only the longer part.
 */
export function shareAtPeriod(beats: Float64Array, period: number, tol: number): number {
  const local = localIntervals(beats);
  return local.length === 0 ? 1 : countNear(local, period, tol) / local.length;
}

/** The mean interval over ±HALF_SPAN beats around every beat that has them. */
function localIntervals(beats: Float64Array): Float64Array {
  const n = beats.length;
  if (n < 2 * HALF_SPAN + 1) return new Float64Array(0);
  const local = new Float64Array(n - 2 * HALF_SPAN);
  for (let i = HALF_SPAN; i < n - HALF_SPAN; i++)
    local[i - HALF_SPAN] = (beats[i + HALF_SPAN] - beats[i - HALF_SPAN]) / (2 * HALF_SPAN);
  return local;
}

function countNear(local: Float64Array, period: number, tol: number): number {
  let near = 0;
  for (let i = 0; i < local.length; i++) if (Math.abs(local[i] / period - 1) <= tol) near++;
  return near;
}

/** Median inter-beat interval; undefined with fewer than two beats. */
export function medianInterval(beats: Float64Array): number | undefined {
  if (beats.length < 2) return undefined;
  const d = new Float64Array(beats.length - 1);
  for (let i = 0; i < d.length; i++) d[i] = beats[i + 1] - beats[i];
  return median(d);
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const round3 = (v: number): number => Math.round(v * 1000) / 1000;
