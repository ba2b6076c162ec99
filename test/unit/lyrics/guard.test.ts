import { describe, expect, it } from 'vitest';
import { findLoops, guardWords } from '../../../src/engines/transcription/guard.js';
import { analyzeVocals } from '../../../src/engines/transcription/analysis.js';
import type { RecognizedWord } from '../../../src/engines/transcription/recognizer.js';
import { SAMPLE_LYRICS, synthVocals } from './synth-vocals.js';

describe('hallucination guard', () => {
  const { audio, words } = synthVocals(SAMPLE_LYRICS.slice(0, 1), { seed: 2, tail: 6 });
  const analysis = analyzeVocals(audio);
  const sung: RecognizedWord[] = words.map((w) => ({ word: w.text, start: w.start, end: w.end }));
  const lastEnd = words[words.length - 1].end;

  it('keeps sung words and drops words over silence', () => {
    const thanks = { word: 'Thank', start: lastEnd + 3, end: lastEnd + 3.3 };
    const you = { word: 'you.', start: lastEnd + 3.3, end: lastEnd + 3.6 };
    const g = guardWords([...sung, thanks, you], analysis);
    expect(g.words.map((w) => w.word)).toEqual(words.map((w) => w.text));
    expect(g.droppedSilent).toBe(2);
  });

  it('collapses a repeated-phrase loop that runs over silence', () => {
    const loop: RecognizedWord[] = [];
    for (let r = 0; r < 4; r++) {
      const t0 = lastEnd + 0.5 + r * 1.2;
      loop.push({ word: 'my', start: t0, end: t0 + 0.4 }, { word: 'name', start: t0 + 0.5, end: t0 + 0.9 });
    }
    const g = guardWords([...sung.slice(0, 5), ...sung.slice(5), ...loop], analysis);
    expect(g.words).toHaveLength(sung.length);
  });

  it('merges duplicates at window seams', () => {
    const dup = { ...sung[2], start: sung[2].start + 0.02 };
    const g = guardWords([...sung, dup], analysis);
    expect(g.words).toHaveLength(sung.length);
    expect(g.droppedDuplicate).toBe(1);
  });

  it('finds loops but not a chorus sung twice', () => {
    expect(findLoops('a b c a b c a b c d'.split(' '))).toEqual([{ start: 0, length: 3, repeats: 3 }]);
    expect(findLoops('hold on tight hold on tight'.split(' '))).toEqual([]);
    expect(findLoops('la la la la'.split(' '))).toEqual([{ start: 0, length: 1, repeats: 4 }]);
  });

  it('keeps a sung repetition ("la la la") that has energy', () => {
    const la = synthVocals([['la', 'la', 'la', 'la']], { seed: 4 });
    const rec = la.words.map((w) => ({ word: 'la', start: w.start, end: w.end }));
    expect(guardWords(rec, analyzeVocals(la.audio)).words).toHaveLength(4);
  });
});
