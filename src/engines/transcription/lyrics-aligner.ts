import { alignWords, type WordPlacement } from './aligner.js';
import { alignSung, type SungWord } from './sung-aligner.js';
import type { VocalAnalysis } from './types.js';
import { parseLyrics, type LyricToken } from './lyrics-text.js';
import { buildLines, enforceMonotonic, type TimedWord, type Transcript } from './timeline.js';

/** A line whose words' mean confidence is below this is flagged `low_confidence` (kept in exports). */
export const LOW_CONFIDENCE_LINE = 0.5;

export interface AlignLyricsOptions {
  /** Per lyric token, a start time recognised by ASR (undefined = no anchor). */
  anchors?: readonly (number | undefined)[];
  language?: string | null;
  /** Beat times (s), a prior for sung word starts. */
  beats?: readonly number[];
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** The sung aligner's words: each lyric token's syllables and onset, and where its line starts and ends. */
export function sungWords(tokens: readonly LyricToken[]): SungWord[] {
  return tokens.map((t, i) => ({
    syllables: t.syllables,
    onset: t.onset,
    lineStart: i === 0 || tokens[i - 1].line !== t.line,
    lineEnd: i === tokens.length - 1 || tokens[i + 1].line !== t.line,
  }));
}

/**
 * Aligns given lyrics to a vocals stem without any model. With no vocal activity at all
 * nothing can be placed and the transcript is empty (no invented timings).
 */
export function alignLyrics(
  analysis: VocalAnalysis,
  lyrics: string,
  opts: AlignLyricsOptions = {},
): Transcript {
  const { lines, tokens } = parseLyrics(lyrics);
  const source = opts.anchors?.some((a) => a !== undefined) ? 'aligned+asr' : 'aligned';
  const language = opts.language ?? null;
  if (tokens.length === 0 || !analysis.activity.hasVoice) {
    return { language, source, words: [], lines: [] };
  }
  const lineStart = (i: number) => i === 0 || tokens[i - 1].line !== tokens[i].line;
  const progress = { signal: opts.signal, onProgress: opts.onProgress };
  const placements: WordPlacement[] =
    analysis.style === 'sung' && analysis.cues
      ? alignSung(sungWords(tokens), analysis.features, analysis.activity, analysis.cues, {
          ...progress,
          beats: opts.beats,
        })
      : alignWords(
          tokens.map((t, i) => ({
            syllables: t.syllables,
            anchor: opts.anchors?.[i],
            lineStart: lineStart(i),
          })),
          analysis.features,
          analysis.activity,
          progress,
        );
  const words: TimedWord[] = tokens.map((t, i) => {
    const p = placements[i];
    const flags: TimedWord['flags'] = [];
    if (!p.placed) flags.push('unplaced');
    if (opts.anchors?.[i] !== undefined) flags.push('asr_match');
    return {
      word: t.text,
      start: p.start,
      end: p.end,
      confidence: p.placed ? p.confidence : 0,
      line: t.line,
      flags,
    };
  });
  enforceMonotonic(words);
  const timed = buildLines(words, lines);
  for (const l of timed) {
    const ws = words.slice(l.firstWord, l.firstWord + l.wordCount);
    const mean = ws.reduce((a, w) => a + w.confidence, 0) / Math.max(1, ws.length);
    if (mean < LOW_CONFIDENCE_LINE || ws.some((w) => w.flags.includes('unplaced'))) l.lowConfidence = true;
  }
  return { language, source, words, lines: timed };
}
