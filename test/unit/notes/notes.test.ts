import { describe, expect, it } from 'vitest';
import { trackPitch } from '../../../src/audio/pitch/track.js';
import { loadPronunciations, splitSyllables, syllableCount } from '../../../src/engines/notes/syllables.js';
import { gridPoints, quantizeNotes, transcribeNotes } from '../../../src/engines/notes/transcribe-notes.js';

const SR = 44100;

/** A sung line: each word a list of (midi, seconds) syllable notes, legato inside a word, a short
 * breath (silence) between words. */
function sing(words: { word: string; notes: [number, number][] }[], lead = 0.5) {
  const truth: { word: string; start: number; end: number; notes: { midi: number; start: number }[] }[] = [];
  let t = lead;
  for (const w of words) {
    const start = t;
    const notes = w.notes.map(([midi, s]) => {
      const n = { midi, start: t };
      t += s;
      return n;
    });
    truth.push({ word: w.word, start, end: t, notes });
    t += 0.12;
  }
  const x = new Float32Array(Math.round((t + 0.5) * SR));
  let phase = 0;
  for (const w of truth) {
    const i0 = Math.round(w.start * SR);
    const i1 = Math.round(w.end * SR);
    for (let i = i0; i < i1; i++) {
      const time = i / SR;
      let midi = w.notes[0].midi;
      for (const n of w.notes) if (time >= n.start) midi = n.midi;
      const hz = 440 * Math.pow(2, (midi - 69) / 12) * (1 + 0.004 * Math.sin(2 * Math.PI * 5.5 * time));
      phase += (2 * Math.PI * hz) / SR;
      const env = Math.min(1, (i - i0) / 400, (i1 - i) / 400);
      x[i] = 0.3 * env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
    }
  }
  return { x, truth };
}

describe('syllables', () => {
  it('counts syllables from the pronouncing dictionary and splits the spelling', async () => {
    const dict = await loadPronunciations();
    expect(syllableCount('radio', dict)).toBe(3);
    expect(syllableCount('the', dict)).toBe(1);
    expect(syllableCount('overhead', dict)).toBe(3);
    expect(syllableCount('zzyzxbloop', dict)).toBeGreaterThanOrEqual(1); // not in the dictionary
    expect(splitSyllables('radio', 3)).toEqual(['ra', 'di', 'o']);
    expect(splitSyllables('playing', 2)).toEqual(['pla', 'ying']);
    expect(splitSyllables('candle', 2).join('')).toBe('candle');
    expect(splitSyllables('nothing', 2)).toEqual(['no', 'thing']);
    expect(splitSyllables('Darling', 2)).toEqual(['Dar', 'ling']);
    expect(splitSyllables('I', 1)).toEqual(['I']);
  });
});

describe('sung notes', () => {
  it('finds one note per syllable with its pitch and onset', async () => {
    const dict = await loadPronunciations();
    const { x, truth } = sing([
      { word: 'the', notes: [[62, 0.25]] },
      {
        word: 'radio',
        notes: [
          [62, 0.27],
          [60, 0.23],
          [55, 0.25],
        ],
      },
      { word: 'is', notes: [[57, 0.2]] },
      {
        word: 'playing',
        notes: [
          [59, 0.27],
          [64, 0.3],
        ],
      },
    ]);
    const notes = transcribeNotes(trackPitch(x, SR), truth, dict);
    const expected = truth.flatMap((w, wi) => w.notes.map((n, si) => ({ ...n, wi, si })));
    expect(notes).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(notes[i].midi).toBe(e.midi);
      expect(Math.abs(notes[i].start - e.start)).toBeLessThan(0.05);
      expect(notes[i].wordIndex).toBe(e.wi);
      expect(notes[i].syllable).toBe(e.si);
    });
    expect(notes.map((n) => n.text)).toEqual(['the', 'ra', 'di', 'o', 'is', 'pla', 'ying']);
  });

  it('gives no notes for a word sung over silence', async () => {
    const notes = transcribeNotes(
      trackPitch(new Float32Array(SR), SR),
      [{ word: 'hello', start: 0.2, end: 0.6 }],
      undefined,
    );
    expect(notes).toEqual([]);
  });

  it('snaps note edges to the 16th grid when close', () => {
    const beats = [1, 1.5, 2, 2.5];
    expect(Array.from(gridPoints(beats)).slice(0, 3)).toEqual([1, 1.125, 1.25]);
    const q = quantizeNotes(
      [
        { start: 1.13, end: 1.49, midi: 60, wordIndex: 0, syllable: 0, text: 'a', confidence: 1 },
        { start: 1.9, end: 2.0, midi: 60, wordIndex: 1, syllable: 0, text: 'b', confidence: 1 },
      ],
      beats,
    );
    expect(q[0].start).toBe(1.125);
    expect(q[0].end).toBe(1.5);
    expect(q[1].start).toBeCloseTo(1.875, 6);
  });
});
