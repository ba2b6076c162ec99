import { buildLines, type TimedWord, type Transcript } from '../../../src/engines/transcription/timeline.js';

/** A small timeline with the awkward cases: a minute carry, an hour mark, markup characters. */
export function fixtureTranscript(): Transcript {
  const w = (word: string, start: number, end: number, line: number): TimedWord => ({
    word,
    start,
    end,
    confidence: 0.9,
    line,
    flags: [],
  });
  const words = [
    w('City', 4.25, 4.67, 0),
    w('lights', 4.75, 5.16, 0),
    w('<calling>', 5.25, 5.9, 0),
    w('{out}', 59.994, 60.4, 1),
    w('my', 60.5, 60.9, 1),
    w('name', 61.0, 61.72, 1),
    w('encore', 3600.5, 3601.25, 2),
  ];
  return { language: 'en', source: 'aligned', words, lines: buildLines(words) };
}
