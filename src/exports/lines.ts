import type { Transcript, TimedLine, TimedWord } from '../engines/transcription/timeline.js';

/** A display line with its words, as the exporters consume it (lines without words skipped). */
export interface ExportLine {
  text: string;
  start: number;
  end: number;
  words: TimedWord[];
}

export function exportLines(t: Transcript): ExportLine[] {
  return t.lines
    .filter((l: TimedLine) => l.wordCount > 0)
    .map((l) => ({
      text: l.text.replace(/\s+/g, ' ').trim(),
      start: l.start,
      end: l.end,
      words: t.words.slice(l.firstWord, l.firstWord + l.wordCount),
    }));
}

/** Text that must stay on one line of a line-based format. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}
