import type { PitchSegment } from './vowel-onsets.js';

/**
 * A word's release: after its last vowel the voice often comes back for a moment (the end of a
 * final consonant, a breath, the tracker catching the reverb) — a short, weak voiced burst after
 * a gap. Taken for a syllable, it steals the last syllable's onset (festival's "fire" and
 * "playing": the second syllable was reported at that burst, 0.4–1 s after the vowel that sang it,
 * and the vowel's own note was never split off). A sung syllable has a nucleus near the level of
 * the word's other vowels, so such a burst is no note: it joins the segment before it.
 */

/** A release is shorter than this (frames)… */
const RELEASE_FRAMES = 8;
/** … and its peak at least this far (dB) below the peak of the word before it. */
const RELEASE_BELOW_DB = 6;

/** The word's segments without a trailing release (merged into the segment before it). */
export function withoutRelease<S extends PitchSegment>(segs: readonly S[], levelDb: Float32Array): S[] {
  const out = segs.map((s) => ({ ...s }));
  const tail = out[out.length - 1];
  if (out.length < 2 || tail.gapBefore === 0 || tail.to - tail.from >= RELEASE_FRAMES) return out;
  if (peak(levelDb, out[0].from, tail.from) - peak(levelDb, tail.from, tail.to) < RELEASE_BELOW_DB)
    return out;
  out[out.length - 2].to = tail.to;
  out.pop();
  return out;
}

function peak(v: Float32Array, from: number, to: number): number {
  let m = -Infinity;
  for (let i = Math.max(0, from); i < Math.min(to, v.length); i++) m = Math.max(m, v[i]);
  return m;
}
