import { maxOf, type PitchSegment } from './vowel-onsets.js';

/**
 * Short, weak voiced bursts at a word's edges, cut off from its vowels by a gap, are no notes:
 * - the release after the last vowel (the end of a final consonant, a breath, the tracker
 *   catching the reverb). Taken for a syllable it steals the last syllable's onset (festival's
 *   "fire" and "playing": the second syllable was reported at that burst, 0.4–1 s after the vowel
 *   that sang it, and the vowel's own note was never split off). It joins the segment before it.
 * - the onset before the vowel of a one-syllable word (a voiced stop's bar, a breathy start,
 *   the end of the note before): its pitch is not the note's ("still" and "sea" took the
 *   previous note's pitch from it, "song" a 50 for its 62). It is dropped; the note still starts
 *   at the word's start. In a longer word the same burst is often its squeezed first syllable,
 *   whose pitch the opening rule in notes.ts reads, so it stays there.
 * A sung syllable has a nucleus near the level of the word's other vowels; a burst this much
 * weaker than them is none.
 */

/** A burst is shorter than this (frames)… */
const BURST_FRAMES = 8;
/** … and its peak at least this far (dB) below the peak of the rest of the word. */
const BURST_BELOW_DB = 6;

/** A word's segments without a weak onset burst (one-syllable words) and a weak release. */
export function withoutWeakBursts<S extends PitchSegment>(
  segs: readonly S[],
  levelDb: Float32Array,
  syllables: number,
): S[] {
  let out = segs.map((s) => ({ ...s }));
  if (
    syllables === 1 &&
    out.length > 1 &&
    isBurst(out[0], out[1].gapBefore, out[1].from, out[out.length - 1].to, levelDb)
  ) {
    out = out.slice(1);
    out[0].gapBefore = Infinity;
  }
  const tail = out[out.length - 1];
  if (out.length > 1 && isBurst(tail, tail.gapBefore, out[0].from, tail.from, levelDb)) {
    out[out.length - 2].to = tail.to;
    out.pop();
  }
  return out;
}

/** A short segment, cut off by a gap, whose peak is well below that of the frames [from, to). */
function isBurst(s: PitchSegment, gap: number, from: number, to: number, levelDb: Float32Array): boolean {
  return (
    gap > 0 &&
    s.to - s.from < BURST_FRAMES &&
    maxOf(levelDb, from, to) - maxOf(levelDb, s.from, s.to) >= BURST_BELOW_DB
  );
}
