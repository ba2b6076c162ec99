import { meanActivity } from '../../audio/vad.js';
import type { VocalAnalysis } from './types.js';
import type { Transcript, TimedWord } from './timeline.js';

/**
 * Timing QA: what a karaoke operator checks before trusting a timeline — per-word
 * confidence, words that start where nobody sings, long stretches of singing with no
 * words on them, and one overall score.
 */
export const LOW_CONFIDENCE = 0.4;
// The first 150 ms of a word must have voice (starts sit a little before the voice crosses the threshold).
const START_PROBE_S = 0.15;
const SILENT_START_ACTIVITY = 0.3;
const NO_ENERGY_ACTIVITY = 0.15;
/** Singing longer than this with no word on it is reported (missed or unaligned words). */
export const UNCOVERED_MIN_S = 2;
const MAX_LISTED = 50;

export interface QaWordRef {
  index: number;
  word: string;
  start: number;
}

export interface TimingQa {
  word_count: number;
  mean_confidence: number;
  low_confidence_words: number;
  unplaced_words: number;
  words_starting_in_silence: QaWordRef[];
  uncovered_vocal_stretches: { start: number; end: number }[];
  /** Share of voiced time covered by words (null without a vocals analysis). */
  vocal_coverage: number | null;
  /** 0–100: confidence × coverage, less the share of words starting in silence. */
  score: number;
}

/** Adds the QA flags to the words (idempotent). */
export function applyQaFlags(t: Transcript, analysis: VocalAnalysis | undefined): void {
  for (const w of t.words) {
    if (analysis) {
      if (meanActivity(analysis.activity, w.start, w.start + START_PROBE_S) < SILENT_START_ACTIVITY)
        addFlag(w, 'starts_in_silence');
      if (meanActivity(analysis.activity, w.start, w.end) < NO_ENERGY_ACTIVITY) addFlag(w, 'no_vocal_energy');
    }
    if (w.confidence < LOW_CONFIDENCE) addFlag(w, 'low_confidence');
  }
}

export function timingQa(t: Transcript, analysis: VocalAnalysis | undefined): TimingQa {
  const words = t.words;
  const silentStarts: QaWordRef[] = [];
  let conf = 0;
  let low = 0;
  let unplaced = 0;
  words.forEach((w, index) => {
    conf += w.confidence;
    if (w.confidence < LOW_CONFIDENCE) low++;
    if (w.flags.includes('unplaced')) unplaced++;
    if (w.flags.includes('starts_in_silence')) silentStarts.push({ index, word: w.word, start: w.start });
  });
  const meanConf = words.length > 0 ? conf / words.length : 0;
  let uncovered: { start: number; end: number }[] = [];
  let coverage: number | null = null;
  if (analysis) {
    const r = coverageOf(words, analysis);
    uncovered = r.uncovered;
    coverage = r.coverage;
  }
  const silentShare = words.length > 0 ? silentStarts.length / words.length : 0;
  const cov = coverage ?? 1;
  const score =
    words.length === 0 ? (analysis?.activity.hasVoice ? 0 : 100) : 100 * meanConf * cov * (1 - silentShare);
  return {
    word_count: words.length,
    mean_confidence: round3(meanConf),
    low_confidence_words: low,
    unplaced_words: unplaced,
    words_starting_in_silence: silentStarts.slice(0, MAX_LISTED),
    uncovered_vocal_stretches: uncovered.slice(0, MAX_LISTED),
    vocal_coverage: coverage === null ? null : round3(coverage),
    score: Math.round(score),
  };
}

function coverageOf(
  words: readonly TimedWord[],
  analysis: VocalAnalysis,
): { coverage: number; uncovered: { start: number; end: number }[] } {
  const { prob, hopS } = analysis.activity;
  const covered = new Uint8Array(prob.length);
  for (const w of words) {
    const a = Math.max(0, Math.floor(w.start / hopS));
    const b = Math.min(prob.length, Math.ceil(w.end / hopS));
    covered.fill(1, a, b);
  }
  let voiced = 0;
  let hit = 0;
  for (let t = 0; t < prob.length; t++) {
    if (prob[t] >= 0.5) {
      voiced++;
      if (covered[t]) hit++;
    }
  }
  // A voiced stretch counts as uncovered when it runs UNCOVERED_MIN_S with no word, across short pauses.
  const uncovered: { start: number; end: number }[] = [];
  for (const seg of analysis.activity.segments) {
    let runStart = -1;
    const a = Math.floor(seg.start / hopS);
    const b = Math.min(prob.length, Math.ceil(seg.end / hopS));
    for (let t = a; t <= b; t++) {
      const free = t < b && !covered[t];
      if (free && runStart < 0) runStart = t;
      else if (!free && runStart >= 0) {
        if ((t - runStart) * hopS >= UNCOVERED_MIN_S)
          uncovered.push({ start: round3(runStart * hopS), end: round3(t * hopS) });
        runStart = -1;
      }
    }
  }
  return { coverage: voiced > 0 ? hit / voiced : 1, uncovered };
}

function addFlag(w: TimedWord, f: TimedWord['flags'][number]): void {
  if (!w.flags.includes(f)) w.flags.push(f);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
