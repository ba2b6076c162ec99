/**
 * A word placed late by the aligner: on sung vocals a word's onset can be weak (a voiced stop,
 * a quiet "f" or "w" before the vowel swells, festival's "feel": voiced at -44 dB for 200 ms, then
 * the vowel at -34) and the aligner takes the swell for the start. When the voice that the word
 * opens with began earlier, after a break, and no word holds those frames (they lie after the
 * previous word's end), the word starts where that voice began: the sung note starts at its voice,
 * not at its loudest. A run at the previous note's pitch is that note's tail (its release or
 * reverb) and does not move the word.
 */

/** How far back (frames) a word's start may move. */
const ONSET_REACH_FRAMES = 30;
/** Unvoiced frames inside a voiced run that still join it (fewer than a segment gap). */
const RUN_HOLE_FRAMES = 2;
/** Unvoiced frames before the run that make it a new voice, not the previous word's. */
const BREAK_FRAMES = 3;

/** A run within this many semitones of the previous note is that note's tail. */
const TAIL_SEMITONES = 0.7;

/**
 * The first frame of the voiced run that reaches the word's start frame `f0`, when that run began
 * after a break of BREAK_FRAMES unvoiced frames at or after `floor` (the previous word's end) and at
 * most ONSET_REACH_FRAMES before `f0`, and is not at `prevMidi` (the previous note's pitch);
 * otherwise `f0`. `midi` is NaN where unvoiced; `median` is the caller's median over frames.
 */
export function voiceOnsetBefore(
  midi: Float32Array,
  f0: number,
  floor: number,
  prevMidi: number | undefined,
  median: (v: Float32Array, from: number, to: number) => number,
): number {
  const voiced = (f: number): boolean => f >= 0 && f < midi.length && !Number.isNaN(midi[f]);
  let f = f0;
  while (f < f0 + RUN_HOLE_FRAMES && !voiced(f)) f++;
  if (!voiced(f)) return f0;
  const lowest = Math.max(floor, f0 - ONSET_REACH_FRAMES);
  let first = f;
  let hole = 0;
  for (let g = f - 1; g >= lowest; g--) {
    if (voiced(g)) {
      first = g;
      hole = 0;
      continue;
    }
    if (++hole >= BREAK_FRAMES) {
      const tail = prevMidi !== undefined && Math.abs(median(midi, first, f0) - prevMidi) <= TAIL_SEMITONES;
      return first < f0 && !tail ? first : f0;
    }
  }
  // The run reaches past the previous word's end or the reach: it is not this word's own onset.
  return f0;
}
