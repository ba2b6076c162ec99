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
  /** The beat divides in three (6/8, 9/8, 12/8: the beat is a dotted quarter). */
  compound?: boolean;
}

export interface TimedText {
  word: string;
  start: number;
  end: number;
  /** The word's timing confidence (0..1), when its source gives one: it caps its notes' confidence. */
  confidence?: number;
}

/** The pitch tracker's voicing profile the notes are tuned with (the aligner keeps 'strict'). */
export const NOTES_VOICING = 'notes' as const;

/** Grid points per beat: 16ths of a quarter-note beat, or of a dotted-quarter beat (compound). */
export function gridDivisions(compound = false): number {
  return compound ? 6 : 4;
}

/** Quarter notes per beat (a compound meter's dotted quarter is 1.5): for the tempo in files that count quarters. */
export function quartersPerBeat(compound = false): number {
  return compound ? 1.5 : 1;
}
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
    confidence: w.confidence,
  }));
  const syllableGrid =
    grid && grid.beats.length >= 2
      ? {
          sixteenths: Array.from(gridPoints(grid.beats, gridDivisions(grid.compound))),
          perBeat: gridDivisions(grid.compound),
        }
      : undefined;
  const notes = sungNotes(track, spans, cues, syllableGrid);
  return grid && grid.beats.length >= 2
    ? quantizeNotes(notes, grid.beats, gridDivisions(grid.compound))
    : notes;
}

export function quantizeNotes(
  notes: readonly SungNote[],
  beats: readonly number[],
  divisions = gridDivisions(),
): SungNote[] {
  const points = gridPoints(beats, divisions);
  return notes.map((n) => {
    const start = snap(points, n.start);
    const end = Math.max(snap(points, n.end), start + 0.01);
    return { ...n, start, end };
  });
}

/** Every 1/divisions of a beat between the first and last beat. */
export function gridPoints(beats: readonly number[], divisions = gridDivisions()): Float64Array {
  const out = new Float64Array((beats.length - 1) * divisions + 1);
  for (let b = 0; b + 1 < beats.length; b++)
    for (let d = 0; d < divisions; d++)
      out[b * divisions + d] = beats[b] + ((beats[b + 1] - beats[b]) * d) / divisions;
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
