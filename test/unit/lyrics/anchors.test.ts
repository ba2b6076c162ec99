import { describe, expect, it } from 'vitest';
import { matchAnchors } from '../../../src/engines/transcription/anchors.js';
import { parseLyrics } from '../../../src/engines/transcription/lyrics-text.js';

const rec = (s: string, t0 = 1) =>
  s.split(' ').map((word, i) => ({ word, start: t0 + i, end: t0 + i + 0.5 }));

describe('ASR anchors for given lyrics', () => {
  it('anchors words both sequences agree on, in order', () => {
    const { tokens } = parseLyrics('city lights are calling\nout my name');
    const a = matchAnchors(tokens, rec('City lights are falling out my name.'));
    expect(a).toEqual([1, 2, 3, undefined, 5, 6, 7]);
  });

  it('ignores a lone match without a matching neighbour', () => {
    const { tokens } = parseLyrics('we will rock the house tonight');
    const a = matchAnchors(tokens, rec('uh huh the yeah'));
    expect(a.every((x) => x === undefined)).toBe(true);
  });

  it('returns no anchors when nothing was recognised', () => {
    const { tokens } = parseLyrics('hello world');
    expect(matchAnchors(tokens, [])).toEqual([undefined, undefined]);
  });
});
