import { sungNotes, type SungNote, type VocalCues, type WordSpan } from '../../audio/pitch/notes.js';
import type { PitchTrack } from '../../audio/pitch/track.js';
import { splitSyllables, syllableCount, type Pronunciations } from './syllables.js';

/**
 * Words + pitch track (+ beat grid) → sung notes: syllables from the dictionary, notes from the
 * pitch track, then note edges snapped to the 16th-note grid of the beats where one is close.
 */
export interface BeatGrid {
  beats: readonly number[];
  downbeats?: readonly number[];
}

export interface TimedText {
  word: string;
  start: number;
  end: number;
}

/** The pitch tracker's voicing profile the notes are tuned with (the aligner keeps 'strict'). */
export const NOTES_VOICING = 'notes' as const;

/** Grid points per beat (16ths in a quarter-note beat). */
export const GRID_DIVISIONS = 4;
/** A note edge moves to a grid point at most this far away (and never past 40 % of a step). */
const SNAP_S = 0.03;
const SNAP_FRACTION = 0.4;

export function transcribeNotes(
  track: PitchTrack,
  words: readonly TimedText[],
  dict: Pronunciations | undefined,
  grid?: BeatGrid,
  cues?: VocalCues,
): SungNote[] {
  const spans: WordSpan[] = words.map((w) => ({
    start: w.start,
    end: w.end,
    syllables: splitSyllables(w.word, syllableCount(w.word, dict)),
  }));
  const notes = sungNotes(track, spans, cues);
  return grid && grid.beats.length >= 2 ? quantizeNotes(notes, grid.beats) : notes;
}

export function quantizeNotes(notes: readonly SungNote[], beats: readonly number[]): SungNote[] {
  const points = gridPoints(beats);
  return notes.map((n) => {
    const start = snap(points, n.start);
    const end = Math.max(snap(points, n.end), start + 0.01);
    return { ...n, start, end };
  });
}

/** Every 1/GRID_DIVISIONS of a beat between the first and last beat. */
export function gridPoints(beats: readonly number[]): Float64Array {
  const out = new Float64Array((beats.length - 1) * GRID_DIVISIONS + 1);
  for (let b = 0; b + 1 < beats.length; b++)
    for (let d = 0; d < GRID_DIVISIONS; d++)
      out[b * GRID_DIVISIONS + d] = beats[b] + ((beats[b + 1] - beats[b]) * d) / GRID_DIVISIONS;
  out[out.length - 1] = beats[beats.length - 1];
  return out;
}

function snap(points: Float64Array, t: number): number {
  // Binary search for the nearest point.
  let lo = 0;
  let hi = points.length - 1;
  if (t <= points[lo] || t >= points[hi]) return t;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid] <= t) lo = mid;
    else hi = mid;
  }
  const step = points[hi] - points[lo];
  const nearest = t - points[lo] < points[hi] - t ? points[lo] : points[hi];
  return Math.abs(nearest - t) <= Math.min(SNAP_S, SNAP_FRACTION * step) ? nearest : t;
}
