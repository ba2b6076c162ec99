import type { PitchTrack } from './track.js';
import {
  moveToVowelOnsets,
  type PitchSegment as Segment,
  type SyllableSpan as SyllableSegment,
  type VocalCues,
} from './vowel-onsets.js';
import { hzToMidi } from './track.js';
import { withoutWeakBursts } from './weak-bursts.js';
import { gridBoundaries, lineUnits, type GridSyllables, type SyllableGrid } from './grid-syllables.js';

/**
 * Sung notes from a pitch track and word timings: inside each word the voiced frames are cut
 * into steady-pitch segments (a new segment where the pitch leaves the current one by more
 * than SPLIT_SEMITONES for SPLIT_FRAMES, or after an unvoiced gap), then fitted to the word's
 * syllable count (split the longest, or merge across the weakest boundary), one MIDI pitch per
 * segment (the median of its frames). The first note starts at the word's start: the onset
 * consonant is part of the note, as in a score. Given the vocal's level, a later syllable starts
 * where its vowel does (the end of a level dip near the pitch change, or the vowel's rise after a
 * voiced consonant), not where the pitch moved.
 */
export interface WordSpan {
  start: number;
  end: number;
  /** Syllable spellings; at least one. */
  syllables: string[];
  /** 0..1: how sure the word's timing is (an aligner's or recogniser's word confidence); absent = sure. */
  confidence?: number;
}

export interface SungNote {
  start: number;
  end: number;
  midi: number;
  wordIndex: number;
  syllable: number;
  text: string;
  /** 0..1: how likely the note is right (pitch ±1 semitone, onset ±100 ms); see noteConfidence. */
  confidence: number;
  /**
   * The note's start was set by the beat grid (a steady segment split on an eighth, or a boundary
   * moved to the next eighth), not by a pitch step or a vowel cue; absent otherwise.
   */
  onGrid?: boolean;
}

const SPLIT_SEMITONES = 0.7;
const SPLIT_FRAMES = 3;
const GAP_FRAMES = 3;
const MIN_NOTE_FRAMES = 4;
const VOICED_PROB = 0.3;
const MEDIAN_FRAMES = 5;
/** An extra segment inside a syllable is kept as a note (a slur) past this step and length. */
const SLUR_SEMITONES = 1.5;
const SLUR_FRAMES = 8;
/** A segment whose settled pitch glides this far (semitones) from its first ANCHOR_FRAMES is a new note. */
const GLIDE_SEMITONES = 0.8;
const ANCHOR_FRAMES = 5;

export function sungNotes(
  track: PitchTrack,
  words: readonly WordSpan[],
  cues?: VocalCues,
  /** The song's 16th-note grid, when its beats are known. */
  syllableGrid?: SyllableGrid,
): SungNote[] {
  const midi = smoothedMidi(track);
  // The grid's eighths (every other 16th), in frames.
  const grid = syllableGrid?.sixteenths.filter((_, i) => i % 2 === 0).map((t) => t / track.hop);
  const units = syllableGrid
    ? lineUnits(
        words.map((w) => ({ start: w.start, end: w.end, syllables: w.syllables.length })),
        syllableGrid,
      )
    : undefined;
  const steady = syllableGrid ? withoutOctaveSlips(midi) : undefined;
  const notes: SungNote[] = [];
  words.forEach((w, wordIndex) => {
    if (!(w.end > w.start) || w.syllables.length === 0) return;
    const f0 = Math.max(0, Math.round(w.start / track.hop));
    const f1 = Math.min(midi.length, Math.round(w.end / track.hop) + 1);
    const found = segmentWord(midi, f0, f1);
    if (found.length === 0) return;
    const last = notes[notes.length - 1];
    const before =
      last?.wordIndex === wordIndex - 1 && last.end >= w.start - TAIL_GAP_FRAMES * track.hop
        ? last
        : undefined;
    let wordStart = w.start;
    if (opensWithPreviousTail(midi, found, f0, before)) {
      found.shift();
      found[0].gapBefore = Infinity;
      wordStart = found[0].from * track.hop;
    }
    const voiced = cues ? withoutWeakBursts(found, cues.levelDb, w.syllables.length) : found;
    const cuts =
      syllableGrid && units && w.syllables.length > 1
        ? gridBoundaries(
            steady ?? midi,
            cues?.levelDb,
            track.hop,
            { start: wordStart, end: w.end, syllables: w.syllables.length },
            Math.max(0, Math.round(wordStart / track.hop)),
            f1,
            units[wordIndex],
            syllableGrid,
          )
        : undefined;
    let segs: SyllableSegment[];
    let pitched: SyllableSegment[];
    if (cuts) {
      ({ segs, pitched } = gridSyllables(voiced, cuts, f1, steady ?? midi));
    } else {
      pitched = fitCount(refineBoundaries(voiced, midi), w.syllables.length, midi, grid);
      // Times from the vowels (where the level and the spectrum say a syllable starts); pitch from
      // the pitch segments themselves (a voice that glides early still sang the note before it).
      const moved = cues ? moveToVowelOnsets(pitched, cues, MIN_NOTE_FRAMES) : pitched;
      segs = grid ? toNextEighth(moved, grid) : moved;
    }
    segs.forEach((s, i) => {
      const prev = notes[notes.length - 1];
      // A sliver left at the word's end (the release) is part of the note before it.
      if (
        i > 0 &&
        i + 1 === segs.length &&
        s.syllable === segs[i - 1].syllable &&
        s.to - s.from < MIN_NOTE_FRAMES &&
        prev?.wordIndex === wordIndex
      ) {
        prev.end = w.end;
        return;
      }
      const start = i === 0 ? wordStart : s.from * track.hop;
      const end = Math.max(i + 1 < segs.length ? segs[i + 1].from * track.hop : w.end, start + track.hop);
      const slur = i > 0 && segs[i - 1].syllable === s.syllable;
      // (On the grid a syllable's pitch is read from its own frames, glide and all: no opening.)
      const opening =
        i === 0 && w.syllables.length > 1 && !cuts ? openingNote(midi, found[0], pitched[0]) : undefined;
      const from = opening ?? pitched[i];
      const note = Math.round(median(cuts && steady ? steady : midi, from.from, from.to));
      const onGrid = i > 0 && !slur && s.onGrid === true;
      notes.push({
        start,
        end,
        midi: note,
        wordIndex,
        syllable: s.syllable,
        text: slur ? '~' : (w.syllables[s.syllable] ?? '~'),
        confidence:
          noteConfidence(
            slur ? 'slur' : s.syllable === 0 ? 'word' : cuts ? 'gridSyllable' : 'syllable',
            end - start,
            opening
              ? pitchSpread(midi, note, opening.from, opening.to)
              : cuts
                ? pitchSpread(steady ?? midi, note, from.from, from.to)
                : pitchSpread(midi, note, Math.round(start / track.hop), Math.round(end / track.hop)),
          ) *
          wordTimingFactor(w.confidence) *
          (onGrid && !cuts ? GRID_ONSET_FACTOR : 1),
        ...(onGrid ? { onGrid } : {}),
      });
    });
  });
  return fixOctaves(notes);
}

/** Frames before a grid boundary whose pitch may already be the next syllable's (see grid-syllables.ts). */
const GRID_ANTICIPATION_FRAMES = 15;

/**
 * Segments for syllables whose boundaries the grid chose (`cuts`, frames): the times are the
 * boundaries; each syllable's pitch is read from its voiced frames, less the last ones before the
 * next boundary (they may carry the next pitch).
 */
function gridSyllables(
  voiced: readonly Segment[],
  found: GridSyllables,
  f1: number,
  midi: Float32Array,
): { segs: SyllableSegment[]; pitched: SyllableSegment[] } {
  const { cuts, slurs } = found;
  const from = Math.min(voiced[0].from, cuts[0] - 1);
  const edges = [from, ...cuts, Math.max(f1, cuts[cuts.length - 1] + 1)];
  const segs: SyllableSegment[] = [];
  const pitched: SyllableSegment[] = [];
  let next = NaN;
  for (let k = edges.length - 2; k >= 0; k--) {
    const a = edges[k];
    const b = edges[k + 1];
    const last = k + 2 === edges.length;
    let end = Math.max(a + 1, last ? b : b - Math.min(GRID_ANTICIPATION_FRAMES, Math.floor((b - a) / 2)));
    const slur = slurs[k];
    if (slur !== undefined && slur > a && slur < end) {
      segs.unshift({ from: slur, to: b, gapBefore: 0, syllable: k });
      pitched.unshift({ from: slur, to: end, gapBefore: 0, syllable: k });
      next = median(midi, slur, end);
      end = slur;
    }
    // A syllable that glides on towards the next one's pitch sang the note it glided from.
    const glide = last && slur === undefined ? undefined : glideCut(midi, a, end);
    if (glide !== undefined) {
      const before = median(midi, a, glide);
      const after = median(midi, glide, end);
      const step = Math.abs(before - after) % 12;
      // Towards the next pitch, and no octave slip of the tracker.
      if (Math.abs(after - next) < Math.abs(before - next) && Math.min(step, 12 - step) >= GLIDE_SEMITONES)
        end = glide;
    }
    segs.unshift({ from: a, to: slur ?? b, gapBefore: k === 0 ? Infinity : 0, syllable: k, onGrid: k > 0 });
    pitched.unshift({ from: a, to: end, gapBefore: 0, syllable: k });
    next = median(midi, a, end);
  }
  return { segs, pitched };
}

/** A syllable boundary moves to the next grid eighth at most this far after it (frames)… */
const EIGHTH_REACH = 20;
/** … or back to one at most this far before it. */
const EIGHTH_BACK = 4;

/**
 * Sung notes start on the song's grid, and a syllable's vowel (its note) comes after the pitch
 * step, and often after the level or spectral cue, that announced it: a voiced consonant (l, m,
 * n, w) carries the next pitch, or the first syllable glides into it (festival's "be-neath": the
 * pitch at 57 from 8.61 s, the note at 8.80 s, on the grid). So a later syllable of a word that
 * follows the one before it without a gap starts on the first eighth of the grid at most
 * EIGHTH_BACK frames before its boundary, if that eighth is at most EIGHTH_REACH frames after it
 * and leaves both syllables MIN_NOTE_FRAMES. (A melody in 16ths loses by this: see BENCHMARKS.md,
 * "Sung notes, ninth pass".)
 */
function toNextEighth<S extends SyllableSegment>(segs: S[], grid: readonly number[]): S[] {
  const out = segs.map((s) => ({ ...s }));
  for (let i = 1; i < out.length; i++) {
    const a = out[i - 1];
    const b = out[i];
    if (b.syllable === a.syllable || b.gapBefore > 0 || b.onGrid) continue;
    const g = grid.find((x) => x >= b.from - EIGHTH_BACK);
    if (g === undefined || g - b.from > EIGHTH_REACH) continue;
    const cut = Math.round(g);
    if (cut === b.from || cut - a.from < MIN_NOTE_FRAMES || b.to - cut < MIN_NOTE_FRAMES) continue;
    a.to = b.from = cut;
    b.onGrid = true;
  }
  return out;
}

/** The previous note's tail at a word's start: this short (frames), from at most this far into the word… */
const TAIL_FRAMES = 10;
const TAIL_START_FRAMES = 3;
/** … and followed by the word's own pitch after at most this many unvoiced frames. */
const TAIL_GAP_FRAMES = 5;

/**
 * Word times from an aligner are off by some tens of milliseconds, and a word given too early
 * opens with the end of the note before it (legato, or across a short consonant): its first
 * segment is short, at the pitch of the previous word's last note (or of the voice just before
 * the word, running on without a break), and a clear step (≥ 1 semitone) from what follows. That
 * segment is no note of this word: the word starts after it. `prev` is the previous word's last
 * note when it ends at most TAIL_GAP_FRAMES before this word.
 */
function opensWithPreviousTail(
  midi: Float32Array,
  found: readonly Segment[],
  f0: number,
  prev: SungNote | undefined,
): boolean {
  if (found.length < 2) return false;
  const [head, next] = found;
  if (head.from - f0 > TAIL_START_FRAMES || head.to - head.from >= TAIL_FRAMES) return false;
  const pitch = median(midi, head.from, head.to);
  if (Math.abs(median(midi, next.from, next.to) - pitch) < 1 || next.gapBefore > TAIL_GAP_FRAMES)
    return false;
  const runsOn =
    head.from === f0 && next.gapBefore === 0 && f0 > 0 && Math.abs(pitch - midi[f0 - 1]) <= SPLIT_SEMITONES;
  return runsOn || (prev !== undefined && Math.abs(pitch - prev.midi) <= SPLIT_SEMITONES);
}

/**
 * Where a word's first note takes its pitch from, when not its whole first syllable: a voice that
 * opens with a short note a clear step away from the rest of the syllable. The opening is the
 * note; the rest already carries the next syllable's pitch (its voiced consonant comes early, e.g.
 * festival's "ce-le-brate": 58 for 30 ms, then 52 through the "l").
 */
function openingNote(midi: Float32Array, head: Segment, first: Segment): Segment | undefined {
  if (head.from !== first.from || head.to >= first.to || head.to - head.from >= SLUR_FRAMES) return undefined;
  const step = Math.abs(median(midi, head.from, head.to) - median(midi, head.to, first.to));
  return step >= SLUR_SEMITONES ? head : undefined;
}

/**
 * How likely a note is right (its pitch within a semitone and its onset within 100 ms of the
 * sung note's), from what predicted a wrong note on the development songs (BENCHMARKS.md,
 * "Sung notes, fourth pass"): a word's first note starts at the word's start, a later syllable's
 * onset is inferred, a slur is often the glide between two notes; a very short note, or one whose
 * frames wander far from its pitch, is often not a note.
 */
const NOTE_CONFIDENCE = { word: 0.92, syllable: 0.72, gridSyllable: 0.92, slur: 0.4 } as const;
const SHORT_NOTE_S = 0.08;
const SHORT_NOTE_FACTOR = 0.45;
/** Median distance (semitones) of the note's voiced frames from its pitch: unsteady, very unsteady. */
const UNSTEADY_SEMITONES = 0.3;
const UNSTEADY_FACTOR = 0.9;
const WANDERING_SEMITONES = 1;
const WANDERING_FACTOR = 0.45;

function noteConfidence(kind: keyof typeof NOTE_CONFIDENCE, seconds: number, spread: number): number {
  let c = NOTE_CONFIDENCE[kind];
  if (seconds < SHORT_NOTE_S) c *= SHORT_NOTE_FACTOR;
  // A word's first note that wanders is only unsteady: its onset is the word's, and its pitch the
  // opening's (on the development songs such notes were right 95 % of the time).
  if (!(spread <= WANDERING_SEMITONES) && kind !== 'word') c *= WANDERING_FACTOR;
  else if (!(spread <= UNSTEADY_SEMITONES)) c *= UNSTEADY_FACTOR;
  return c;
}

/**
 * A note is no surer than the time of the word it is read in: a word placed at the wrong time
 * gives its notes the wrong onsets (or the neighbour's pitch). Below WORD_SURE the factor falls
 * linearly to WORD_FLOOR at a word confidence of 0 (on the development songs, with the aligner's
 * words: notes of words under 0.5 were right 50 % of the time, 0.5–0.7: 71 %, above 0.7: 83–85 %).
 */
const WORD_SURE = 0.85;
const WORD_FLOOR = 0.4;

function wordTimingFactor(confidence: number | undefined): number {
  if (confidence === undefined || !(confidence < WORD_SURE)) return 1;
  return WORD_FLOOR + ((1 - WORD_FLOOR) * Math.max(0, confidence)) / WORD_SURE;
}

/**
 * A later syllable whose start the beat grid set (split on an eighth, or moved to the next one)
 * rather than a pitch step or a vowel cue. Fitted on the development songs (dev, dev2, public
 * sung; aligner words, engine beats and grid): such notes were right 82.8 % of the time (24 of 29)
 * against 75.8 % for the other later syllables (94 of 124), so they are not less sure (BENCHMARKS.md,
 * "Sung notes, ninth pass", "Note confidence after the grid").
 */
const GRID_ONSET_FACTOR = 1.09;

/** Median |frame pitch − note| over the voiced frames in [from, to); NaN when none is voiced. */
function pitchSpread(midi: Float32Array, note: number, from: number, to: number): number {
  const d: number[] = [];
  for (let f = Math.max(0, from); f < Math.min(to, midi.length); f++)
    if (!Number.isNaN(midi[f])) d.push(Math.abs(midi[f] - note));
  return medianOf(d);
}

/** A note this far (semitones) from the median of its neighbours is a candidate octave error. */
const OCTAVE_JUMP = 10;
/** … and is moved by octaves when that lands it this close to them. */
const OCTAVE_FIT = 6;
const OCTAVE_NEIGHBOURS = 2;
/** Only notes shorter than this are suspected: a long steady note is tracked reliably. */
const OCTAVE_SUSPECT_S = 0.3;

/**
 * Octave errors of the tracker (a subharmonic or the second partial on a short, breathy note):
 * a short note ≥ OCTAVE_JUMP semitones from the median of its OCTAVE_NEIGHBOURS neighbours on each side
 * moves by the whole octaves that bring it nearest them if that is within OCTAVE_FIT. A melody's real
 * octave leap lands next to notes of its own register, so it stays.
 */
export function fixOctaves(notes: SungNote[]): SungNote[] {
  const orig = notes.map((n) => n.midi);
  return notes.map((n, i) => {
    const around: number[] = [];
    for (
      let j = Math.max(0, i - OCTAVE_NEIGHBOURS);
      j <= Math.min(notes.length - 1, i + OCTAVE_NEIGHBOURS);
      j++
    )
      if (j !== i) around.push(orig[j]);
    if (around.length === 0) return n;
    const ref = medianOf(around);
    if (n.end - n.start >= OCTAVE_SUSPECT_S || Math.abs(n.midi - ref) < OCTAVE_JUMP) return n;
    const midi = n.midi - 12 * Math.round((n.midi - ref) / 12);
    return Math.abs(midi - ref) <= OCTAVE_FIT ? { ...n, midi } : n;
  });
}

/** Fractional MIDI per frame (NaN = unvoiced), median-filtered over voiced neighbours. */
function smoothedMidi(track: PitchTrack): Float32Array {
  const n = track.f0.length;
  const raw = new Float32Array(n);
  for (let i = 0; i < n; i++)
    raw[i] = track.f0[i] > 0 && track.voicing[i] >= VOICED_PROB ? hzToMidi(track.f0[i]) : NaN;
  const out = new Float32Array(n);
  const half = MEDIAN_FRAMES >> 1;
  const buf: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(raw[i])) {
      out[i] = NaN;
      continue;
    }
    buf.length = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++)
      if (!Number.isNaN(raw[j])) buf.push(raw[j]);
    out[i] = medianOf(buf);
  }
  return out;
}

/** Frames this far (semitones) from the median of the voiced frames within OCTAVE_SLIP_FRAMES… */
const OCTAVE_SLIP_SEMITONES = 9;
const OCTAVE_SLIP_FRAMES = 15;

/** … are the tracker's slips (an octave or a twelfth off, a few frames long): unvoiced here. */
function withoutOctaveSlips(midi: Float32Array): Float32Array {
  const out = new Float32Array(midi.length);
  const buf: number[] = [];
  for (let i = 0; i < midi.length; i++) {
    out[i] = midi[i];
    if (Number.isNaN(midi[i])) continue;
    buf.length = 0;
    for (
      let j = Math.max(0, i - OCTAVE_SLIP_FRAMES);
      j <= Math.min(midi.length - 1, i + OCTAVE_SLIP_FRAMES);
      j++
    )
      if (!Number.isNaN(midi[j])) buf.push(midi[j]);
    if (Math.abs(midi[i] - medianOf(buf)) >= OCTAVE_SLIP_SEMITONES) out[i] = NaN;
  }
  return out;
}

function segmentWord(midi: Float32Array, f0: number, f1: number): Segment[] {
  const segs: Segment[] = [];
  let cur: Segment | undefined;
  let ref = 0;
  let gap = 0;
  let away = 0;
  for (let f = f0; f < f1; f++) {
    const m = midi[f];
    if (Number.isNaN(m)) {
      gap++;
      away = 0;
      if (cur && gap >= GAP_FRAMES) {
        segs.push(cur);
        cur = undefined;
      }
      continue;
    }
    if (!cur) {
      cur = { from: f, to: f + 1, gapBefore: segs.length === 0 ? Infinity : gap };
      ref = m;
      gap = 0;
      continue;
    }
    gap = 0;
    if (Math.abs(m - ref) > SPLIT_SEMITONES) away++;
    else away = 0;
    if (away >= SPLIT_FRAMES) {
      const from = f - SPLIT_FRAMES + 1;
      cur.to = from;
      segs.push(cur);
      cur = { from, to: f + 1, gapBefore: 0 };
      ref = median(midi, from, f + 1);
      away = 0;
      continue;
    }
    cur.to = f + 1;
    // The reference follows the segment's settled pitch (slow drift, vibrato averaged out).
    ref = median(midi, Math.max(cur.from, f - 9), f + 1);
    // A slow glide to the next note: the settled pitch has left the segment's first one.
    if (f + 1 - cur.from >= 2 * ANCHOR_FRAMES) {
      const anchor = median(midi, cur.from, cur.from + ANCHOR_FRAMES);
      if (Math.abs(ref - anchor) >= GLIDE_SEMITONES) {
        const cut = halfwayCrossing(midi, cur.from + MIN_NOTE_FRAMES, f, anchor, ref) ?? f;
        if (cut - cur.from >= MIN_NOTE_FRAMES && f + 1 - cut >= 1) {
          cur.to = cut;
          segs.push(cur);
          cur = { from: cut, to: f + 1, gapBefore: 0 };
          ref = median(midi, cut, f + 1);
        }
      }
    }
  }
  if (cur) segs.push(cur);
  const merged = mergeShort(segs);
  // The previous word's voice running into this word's span: a sliver at its first frame, voiced
  // before it, then a gap, is no note of this word.
  const head = merged[0];
  if (
    merged.length > 1 &&
    head.from === f0 &&
    f0 > 0 &&
    !Number.isNaN(midi[f0 - 1]) &&
    head.to - head.from < MIN_NOTE_FRAMES &&
    merged[1].gapBefore >= GAP_FRAMES
  )
    return [{ ...merged[1], gapBefore: Infinity }, ...merged.slice(2)];
  return merged;
}

/**
 * A pitch step is detected when the pitch has left the old note, early in the glide between
 * the two; the note changes where the glide crosses halfway between the two pitches.
 */
function refineBoundaries(segs: Segment[], midi: Float32Array): Segment[] {
  const out = segs.map((s) => ({ ...s }));
  for (let i = 1; i < out.length; i++) {
    const a = out[i - 1];
    const b = out[i];
    if (b.gapBefore > 0) continue;
    const ma = median(midi, a.from, a.to);
    const mb = median(midi, b.from, b.to);
    const cut =
      halfwayCrossing(midi, b.from, b.to - MIN_NOTE_FRAMES, ma, mb) ??
      Math.max(b.from, b.to - MIN_NOTE_FRAMES - 1);
    if (cut > b.from) {
      a.to = cut;
      b.from = cut;
    }
  }
  return out;
}

function mergeShort(segs: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segs) {
    const prev = out[out.length - 1];
    const joined = prev && s.gapBefore < GAP_FRAMES;
    if (joined && (s.to - s.from < MIN_NOTE_FRAMES || prev.to - prev.from < MIN_NOTE_FRAMES)) prev.to = s.to;
    else out.push({ ...s });
  }
  return out;
}

/**
 * One or more segments per syllable: short of segments, the longest is halved; over, the
 * weakest boundaries (no gap, smallest pitch step) are merged until only clear notes remain
 * (a slur sings one syllable over two notes), and the strongest count−1 boundaries start
 * the syllables.
 */
function fitCount(
  segs: Segment[],
  count: number,
  midi: Float32Array,
  grid?: readonly number[],
): SyllableSegment[] {
  const out = segs.map((s) => ({ ...s }));
  while (out.length < count) {
    let longest = 0;
    for (let i = 1; i < out.length; i++)
      if (out[i].to - out[i].from > out[longest].to - out[longest].from) longest = i;
    const s = out[longest];
    if (s.to - s.from < 2 * MIN_NOTE_FRAMES) break;
    const glide = glideCut(midi, s.from, s.to);
    const eighth = glide === undefined && grid ? firstEighthIn(grid, s.from, s.to) : undefined;
    const cut = glide ?? eighth ?? s.from + Math.round((s.to - s.from) / 2);
    out.splice(
      longest,
      1,
      { from: s.from, to: cut, gapBefore: s.gapBefore },
      { from: cut, to: s.to, gapBefore: 0, onGrid: eighth !== undefined },
    );
  }
  const strength = (i: number): number =>
    out[i].gapBefore * 10 +
    Math.abs(median(midi, out[i - 1].from, out[i - 1].to) - median(midi, out[i].from, out[i].to));
  while (out.length > count) {
    let best = 1;
    for (let i = 2; i < out.length; i++) if (strength(i) < strength(best)) best = i;
    const clear =
      strength(best) >= SLUR_SEMITONES &&
      out[best].to - out[best].from >= SLUR_FRAMES &&
      out[best - 1].to - out[best - 1].from >= SLUR_FRAMES;
    if (clear) break;
    out[best - 1].to = out[best].to;
    out.splice(best, 1);
  }
  const starts = new Set<number>([0]);
  const order = out.map((_, i) => i).slice(1);
  order.sort((p, q) => strength(q) - strength(p));
  for (const i of order.slice(0, count - 1)) starts.add(i);
  let syl = -1;
  return out.map((s, i) => ({ ...s, syllable: starts.has(i) ? ++syl : syl }));
}

/** A split syllable lasts at least this many of the grid's eighths (a little less than one). */
const FIRST_EIGHTH = 0.6;

/**
 * Where a steady segment that holds two syllables changes syllable, given the song's eighths: a
 * melody's syllables before a word's last are mostly one eighth long (a word's last syllable,
 * above all a line's last, is the one held), so the first syllable ends at the first eighth at
 * least FIRST_EIGHTH of an eighth into the segment; undefined when that leaves the second
 * syllable under MIN_NOTE_FRAMES.
 */
function firstEighthIn(grid: readonly number[], from: number, to: number): number | undefined {
  const k = grid.findIndex((g) => g > from);
  if (k < 1) return undefined;
  const earliest = from + Math.max(MIN_NOTE_FRAMES, FIRST_EIGHTH * (grid[k] - grid[k - 1]));
  const g = grid.find((x) => x >= earliest);
  return g !== undefined && g <= to - MIN_NOTE_FRAMES ? Math.round(g) : undefined;
}

/**
 * Where a segment that glides from one note to the next (too slowly for the step detector)
 * changes note: the frame where the pitch crosses halfway between the medians of the cut that
 * separates them most; undefined when the pitch does not move.
 */
function glideCut(midi: Float32Array, from: number, to: number): number | undefined {
  let best = -1;
  let bestD = GLIDE_SEMITONES;
  for (let c = from + MIN_NOTE_FRAMES; c <= to - MIN_NOTE_FRAMES; c++) {
    const d = Math.abs(median(midi, from, c) - median(midi, c, to));
    if (d >= bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best < 0) return undefined;
  const ma = median(midi, from, best);
  const mb = median(midi, best, to);
  return halfwayCrossing(midi, from + MIN_NOTE_FRAMES, to - MIN_NOTE_FRAMES + 1, ma, mb) ?? best;
}

/** The first frame in [from, to) where the pitch has crossed halfway from note a to note b. */
function halfwayCrossing(
  midi: Float32Array,
  from: number,
  to: number,
  a: number,
  b: number,
): number | undefined {
  const mid = 0.5 * (a + b);
  for (let f = from; f < to; f++) if (b > a ? midi[f] >= mid : midi[f] <= mid) return f;
  return undefined;
}

function median(values: Float32Array, from: number, to: number): number {
  const v: number[] = [];
  for (let i = from; i < to; i++) if (!Number.isNaN(values[i])) v.push(values[i]);
  return medianOf(v);
}

function medianOf(v: number[]): number {
  if (v.length === 0) return NaN;
  v.sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

export type { VocalCues } from './vowel-onsets.js';
