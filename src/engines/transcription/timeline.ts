/**
 * The one canonical word timeline. Every export (transcription.json, LRC, enhanced LRC,
 * SRT, WebVTT, ASS) is rendered from this and nothing else.
 */
export type WordFlag =
  /** The given word could not be found in the vocals; its times are interpolated. */
  | 'unplaced'
  /** The word's span has (almost) no vocal energy. */
  | 'no_vocal_energy'
  /** The word starts where the vocals are silent. */
  | 'starts_in_silence'
  /** Recognised by ASR and confirmed at that place (an alignment anchor). */
  | 'asr_match'
  /** Confidence below the QA threshold. */
  | 'low_confidence';

export interface TimedWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
  /** Index into Transcript.lines. */
  line: number;
  flags: WordFlag[];
}

export interface TimedLine {
  text: string;
  start: number;
  end: number;
  /** Index of the line's first word in Transcript.words, and how many words it has. */
  firstWord: number;
  wordCount: number;
  /** The aligner could not place this line with confidence (kept at its best estimate). */
  lowConfidence?: boolean;
}

export type LyricsSource = 'aligned' | 'transcribed' | 'aligned+asr';

export interface Transcript {
  language: string | null;
  source: LyricsSource;
  words: TimedWord[];
  lines: TimedLine[];
}

/** Plain text of the transcript, one line per lyric line. */
export function transcriptText(t: Transcript): string {
  return t.lines.map((l) => l.text).join('\n');
}

/** Rebuilds `lines` from the words' line indices (times from the words, text from the words). */
export function buildLines(words: TimedWord[], lineTexts?: readonly string[]): TimedLine[] {
  const lines: TimedLine[] = [];
  let i = 0;
  while (i < words.length) {
    const li = words[i].line;
    let j = i;
    while (j < words.length && words[j].line === li) j++;
    const ws = words.slice(i, j);
    lines.push({
      text: lineTexts?.[li] ?? ws.map((w) => w.word).join(' '),
      start: ws[0].start,
      end: ws[ws.length - 1].end,
      firstWord: i,
      wordCount: j - i,
    });
    i = j;
  }
  // Lines are renumbered densely so that word.line indexes the lines array.
  lines.forEach((l, k) => {
    for (let w = l.firstWord; w < l.firstWord + l.wordCount; w++) words[w].line = k;
  });
  return lines;
}

const MIN_WORD_S = 0.05;

/**
 * Makes times safe for players: finite, non-negative, starts non-decreasing, every word
 * at least MIN_WORD_S long and ending no later than the next word starts (when possible).
 */
export function enforceMonotonic(words: TimedWord[]): void {
  let prevStart = 0;
  for (const w of words) {
    if (!Number.isFinite(w.start) || w.start < prevStart) w.start = prevStart;
    prevStart = w.start;
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const next = words[i + 1]?.start ?? Infinity;
    if (!Number.isFinite(w.end) || w.end < w.start + MIN_WORD_S) w.end = w.start + MIN_WORD_S;
    if (w.end > next && next >= w.start + MIN_WORD_S) w.end = next;
    w.start = round3(w.start);
    w.end = round3(w.end);
  }
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
