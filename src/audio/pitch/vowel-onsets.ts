import { computeVocalFeatures, type VocalFeatures } from '../lyrics/features.js';
import type { PitchTrack } from './track.js';

/**
 * Where a sung syllable's note starts: at its vowel. The pitch of the next syllable often
 * arrives before it (a glide, or a voiced consonant that already carries it), so a syllable
 * boundary found from the pitch moves to where the level and the spectrum say the vowel begins.
 */

/** What the notes read from the vocal besides its pitch, on the pitch track's frames. */
export interface VocalCues {
  /** Frame level (dB), see frameLevelDb. */
  levelDb: Float32Array;
  /** Spectral rise per frame (mean positive band-energy change, dB), e.g. computeVocalFeatures' onset. */
  rise?: Float32Array;
}

/** A run of a word's voiced frames at one pitch: frames [from, to). */
export interface PitchSegment {
  from: number;
  to: number;
  /** Unvoiced frames before it (boundary strength). */
  gapBefore: number;
  /** It starts on a grid eighth chosen for it (a steady segment split in two): no cue moves it. */
  onGrid?: boolean;
}

/** A pitch segment with the index of the syllable it sings. */
export interface SyllableSpan extends PitchSegment {
  syllable: number;
}

/** How far (frames) a syllable boundary looks for its consonant, before and after the pitch change. */
const CONSONANT_BACK = 5;
const CONSONANT_AHEAD = 25;
/** A level dip this deep (dB below the quieter of the two sides' peaks) is a consonant. */
const CONSONANT_DIP_DB = 3;
/** The consonant ends where the level climbs this far above the dip's floor. */
const CONSONANT_FLOOR_DB = 1;
/** Without a dip, the vowel is the strongest spectral rise this many frames after the pitch change… */
const VOWEL_RISE_FROM = 2;
const VOWEL_RISE_TO = 30;
/** … if it is at least this strong (mean band rise, dB). */
const VOWEL_RISE_DB = 2;
/** An unvoiced gap this short (frames) before a syllable can be the weak start of a voiced consonant. */
const VOICED_CONSONANT_GAP = 8;

/**
 * A syllable starts with its consonant, and between two vowels a consonant is a dip in level.
 * A sung pitch often moves before it (the voice glides into the next note during the vowel
 * before), so a syllable boundary found from the pitch moves to the end of a clear level dip
 * near it. A voiced consonant (l, m, n, r, v…) carries the new pitch without a dip: there the
 * vowel shows as a rise of the spectrum after the pitch change (or after the voice returns from
 * the consonant's weak start), and the boundary moves to it.
 */
export function moveToVowelOnsets<S extends SyllableSpan>(
  segs: S[],
  cues: VocalCues,
  minFrames: number,
): S[] {
  const { levelDb, rise } = cues;
  const out = segs.map((s) => ({ ...s }));
  for (let i = 1; i < out.length; i++) {
    const a = out[i - 1];
    const b = out[i];
    if (b.syllable === a.syllable || b.onGrid) continue;
    if (b.gapBefore > 0) {
      // A voiced consonant that starts weakly (a short unvoiced gap, then voice): its vowel is a
      // later rise, stronger than the one where the voice came back.
      if (rise && b.gapBefore <= VOICED_CONSONANT_GAP) {
        const vowel = strongestRise(rise, b, minFrames);
        const voiceBack = maxOf(rise, b.from - VOWEL_RISE_FROM - 1, b.from + VOWEL_RISE_FROM);
        if (vowel !== undefined && rise[vowel] > voiceBack) a.to = b.from = vowel;
      }
      continue;
    }
    const lo = Math.max(a.from + minFrames, b.from - CONSONANT_BACK);
    const hi = Math.min(b.to - minFrames, b.from + CONSONANT_AHEAD, levelDb.length - 1);
    if (hi <= lo) continue;
    let dip = lo;
    for (let f = lo; f <= hi; f++) if (levelDb[f] < levelDb[dip]) dip = f;
    const depth = Math.min(maxOf(levelDb, a.from, dip), maxOf(levelDb, dip, b.to)) - levelDb[dip];
    if (depth < CONSONANT_DIP_DB) {
      const vowel = rise ? strongestRise(rise, b, minFrames) : undefined;
      if (vowel !== undefined) a.to = b.from = vowel;
      continue;
    }
    let end = dip;
    while (end + 1 <= hi && levelDb[end + 1] <= levelDb[dip] + CONSONANT_FLOOR_DB) end++;
    a.to = end;
    b.from = end;
  }
  return out;
}

/** The frame of the strongest spectral rise shortly after a segment's start, if it is a clear one. */
function strongestRise(rise: Float32Array, s: SyllableSpan, minFrames: number): number | undefined {
  const top = Math.min(s.to - minFrames, s.from + VOWEL_RISE_TO, rise.length - 1);
  let best = -1;
  for (let f = s.from + VOWEL_RISE_FROM; f <= top; f++) if (best < 0 || rise[f] > rise[best]) best = f;
  return best >= 0 && rise[best] >= VOWEL_RISE_DB ? best : undefined;
}

/** The largest of v[from..to) (clipped to v), -Infinity when empty. */
export function maxOf(v: Float32Array, from: number, to: number): number {
  let m = -Infinity;
  for (let i = Math.max(0, from); i < Math.min(to, v.length); i++) m = Math.max(m, v[i]);
  return m;
}

/**
 * The cues sungNotes reads from a vocal (mono), on the frames of its pitch track; `features` are
 * the vocal's own computeVocalFeatures when the caller has them already (the aligner's analysis).
 */
export function vocalCues(
  mono: Float32Array,
  sampleRate: number,
  track: PitchTrack,
  features: VocalFeatures = computeVocalFeatures(mono, sampleRate),
): VocalCues {
  const frames = track.f0.length;
  const rise = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const g = Math.round((f * track.hop) / features.hopS);
    rise[f] = g < features.onset.length ? features.onset[g] : 0;
  }
  return { levelDb: frameLevelDb(mono, sampleRate, track.hop, frames), rise };
}

/** Frame level in dB: RMS over two hops centred on each frame of a track with that hop. */
export function frameLevelDb(
  mono: Float32Array,
  sampleRate: number,
  hop: number,
  frames: number,
): Float32Array {
  const h = Math.max(1, Math.round(hop * sampleRate));
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const a = Math.max(0, f * h - h);
    const b = Math.min(mono.length, f * h + h);
    let e = 0;
    for (let i = a; i < b; i++) e += mono[i] * mono[i];
    out[f] = 10 * Math.log10(e / Math.max(1, b - a) + 1e-10);
  }
  return out;
}
