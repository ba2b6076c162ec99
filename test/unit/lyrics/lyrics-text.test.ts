import { describe, expect, it } from 'vitest';
import {
  countSyllables,
  normalizeWord,
  parseLyrics,
} from '../../../src/engines/transcription/lyrics-text.js';

describe('lyrics text', () => {
  it('splits lines and words, skipping blank lines and section markers', () => {
    const p = parseLyrics("[Verse 1]\nCity lights,  are calling!\r\n\n(Chorus)\nDon't stop — now\n");
    expect(p.lines).toEqual(['City lights, are calling!', "Don't stop now"]);
    expect(p.tokens.map((t) => [t.text, t.norm, t.line])).toEqual([
      ['City', 'city', 0],
      ['lights,', 'lights', 0],
      ['are', 'are', 0],
      ['calling!', 'calling', 0],
      ["Don't", 'dont', 1],
      ['stop', 'stop', 1],
      ['now', 'now', 1],
    ]);
  });

  it('normalises accents, case and punctuation for matching', () => {
    expect(normalizeWord('Café!')).toBe('cafe');
    expect(normalizeWord("rock'n'roll")).toBe('rocknroll');
    expect(normalizeWord('—')).toBe('');
  });

  it('estimates syllables well enough for a duration prior', () => {
    const cases: [string, number][] = [
      ['name', 1],
      ['alone', 2],
      ['calling', 2],
      ['river', 2],
      ['walked', 1],
      ['wanted', 2],
      ['little', 2],
      ['flying', 2],
      ['player', 2],
      ['canyon', 2],
      ['yes', 1],
      ['I', 1],
      ['summer-time', 3],
    ];
    for (const [w, n] of cases) expect(countSyllables(w), w).toBe(n);
  });
});
