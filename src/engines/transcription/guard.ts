import { meanActivity } from '../../audio/vad.js';
import type { VocalAnalysis } from './types.js';
import { normalizeWord } from './lyrics-text.js';
import type { RecognizedWord } from './recognizer.js';

/**
 * Hallucination guard for recognised words:
 *  1. words whose span has no vocal energy are dropped (ASR invents words over music
 *     and silence, classically "Thank you." at the end);
 *  2. loops — the same phrase recognised three or more times in a row — keep only the
 *     copies that are actually sung (stricter energy check), and exact duplicates that
 *     overlap in time (window seams) are merged;
 *  3. what remains is returned in time order (monotonic times are enforced later on the
 *     timeline with a minimum word length).
 */
const MIN_ACTIVITY = 0.3;
const LOOP_MIN_ACTIVITY = 0.55;
const LOOP_MIN_REPEATS = 3;
const MAX_LOOP_PHRASE = 12;
const DUPLICATE_OVERLAP = 0.5;

export interface GuardReport {
  words: RecognizedWord[];
  droppedSilent: number;
  droppedLoop: number;
  droppedDuplicate: number;
}

export function guardWords(
  input: readonly RecognizedWord[],
  analysis: VocalAnalysis | undefined,
): GuardReport {
  const sorted = [...input].filter((w) => normalizeWord(w.word) !== '').sort((a, b) => a.start - b.start);
  const deduped = dropDuplicates(sorted);
  const droppedDuplicate = sorted.length - deduped.length;
  const act = (w: RecognizedWord) =>
    analysis ? meanActivity(analysis.activity, w.start, Math.max(w.end, w.start + 0.05)) : 1;
  const voiced = deduped.filter((w) => act(w) >= MIN_ACTIVITY);
  const droppedSilent = deduped.length - voiced.length;
  const keep = new Uint8Array(voiced.length).fill(1);
  for (const run of findLoops(voiced.map((w) => normalizeWord(w.word)))) {
    for (let r = 0; r < run.repeats; r++) {
      const a = run.start + r * run.length;
      const copy = voiced.slice(a, a + run.length);
      const sung = copy.reduce((s, w) => s + act(w), 0) / copy.length >= LOOP_MIN_ACTIVITY;
      // The first copy is kept unless it is unsung too: a loop always leaves at most what was heard.
      if (!sung && r > 0) keep.fill(0, a, a + run.length);
    }
  }
  const words = voiced.filter((_, i) => keep[i] === 1);
  return { words, droppedSilent, droppedLoop: voiced.length - words.length, droppedDuplicate };
}

function dropDuplicates(words: readonly RecognizedWord[]): RecognizedWord[] {
  const out: RecognizedWord[] = [];
  for (const w of words) {
    const prev = out[out.length - 1];
    if (prev && normalizeWord(prev.word) === normalizeWord(w.word)) {
      const overlap = Math.min(prev.end, w.end) - Math.max(prev.start, w.start);
      const shorter = Math.max(1e-3, Math.min(prev.end - prev.start, w.end - w.start));
      if (overlap / shorter >= DUPLICATE_OVERLAP) continue;
    }
    out.push(w);
  }
  return out;
}

export interface LoopRun {
  start: number;
  length: number;
  repeats: number;
}

/** Maximal runs of one phrase (1–MAX_LOOP_PHRASE words) repeated back to back LOOP_MIN_REPEATS+ times. */
export function findLoops(tokens: readonly string[]): LoopRun[] {
  const runs: LoopRun[] = [];
  let i = 0;
  while (i < tokens.length) {
    let best: LoopRun | undefined;
    for (let len = 1; len <= MAX_LOOP_PHRASE && i + 2 * len <= tokens.length; len++) {
      let reps = 1;
      while (i + (reps + 1) * len <= tokens.length && samePhrase(tokens, i, i + reps * len, len)) reps++;
      if (reps >= LOOP_MIN_REPEATS && (!best || reps * len > best.repeats * best.length))
        best = { start: i, length: len, repeats: reps };
    }
    if (best) {
      runs.push(best);
      i += best.repeats * best.length;
    } else i++;
  }
  return runs;
}

function samePhrase(t: readonly string[], a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (t[a + k] !== t[b + k]) return false;
  return true;
}
