import { describe, expect, it } from 'vitest';
import { trackPitch } from '../../../src/audio/pitch/track.js';
import { vocalCues } from '../../../src/audio/pitch/vowel-onsets.js';
import { loadPronunciations } from '../../../src/engines/notes/syllables.js';
import { transcribeNotes } from '../../../src/engines/notes/transcribe-notes.js';

const SR = 44100;

/** A voice on one pitch over [start, end) at a gain, added into x. */
function voice(x: Float32Array, start: number, end: number, midi: number, gain = 1): void {
  let phase = 0;
  const hz = 440 * Math.pow(2, (midi - 69) / 12);
  for (let i = Math.round(start * SR); i < Math.round(end * SR); i++) {
    const t = i / SR;
    phase += (2 * Math.PI * hz) / SR;
    const env = Math.min(1, (t - start) / 0.01, (end - t) / 0.01);
    x[i] += 0.3 * gain * env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
  }
}

async function notesOf(x: Float32Array, words: { word: string; start: number; end: number }[]) {
  const dict = await loadPronunciations();
  const track = trackPitch(x, SR, { voicing: 'notes' });
  return transcribeNotes(track, words, dict, undefined, vocalCues(x, SR, track));
}

describe('a word placed after its voice began', () => {
  it('starts the word where its voice began after a break, not where it swells', async () => {
    // "you" on 60 (0.20–0.40 s), a rest, then "feel" on 67: quiet from 0.55 s (−12 dB), full from
    // 0.75 s. The word is given from 0.75 s, as an aligner that takes the swell for the start does.
    const x = new Float32Array(Math.round(2 * SR));
    voice(x, 0.2, 0.4, 60);
    voice(x, 0.55, 0.76, 67, 0.25);
    voice(x, 0.75, 1.5, 67);
    const notes = await notesOf(x, [
      { word: 'you', start: 0.2, end: 0.45 },
      { word: 'feel', start: 0.75, end: 1.5 },
    ]);
    expect(notes.map((n) => n.midi)).toEqual([60, 67]);
    expect(Math.abs(notes[1].start - 0.55)).toBeLessThan(0.03);
  });

  it("keeps the word's start when the voice before it is the previous note's tail", async () => {
    // "the" on 52 ends at 0.42 s; after a break the voice comes back on 52 (its release) at
    // 0.50 s and moves to "roses" on 56 at 0.62 s, where the word is given.
    const x = new Float32Array(Math.round(2 * SR));
    voice(x, 0.2, 0.42, 52);
    voice(x, 0.5, 0.63, 52, 0.5);
    voice(x, 0.62, 1.3, 56);
    const notes = await notesOf(x, [
      { word: 'the', start: 0.2, end: 0.45 },
      { word: 'roses', start: 0.62, end: 1.3 },
    ]);
    expect(notes[0].midi).toBe(52);
    expect(notes[1].start).toBeCloseTo(0.62, 2);
  });

  it('keeps the start when the voice before it runs on from the previous word', async () => {
    // Legato: "the" on 52 runs into "sea" on 57 without a break; the word is given late (0.70 s).
    const x = new Float32Array(Math.round(2 * SR));
    voice(x, 0.2, 0.56, 52);
    voice(x, 0.55, 1.3, 57);
    const notes = await notesOf(x, [
      { word: 'the', start: 0.2, end: 0.6 },
      { word: 'sea', start: 0.7, end: 1.3 },
    ]);
    expect(notes[1].start).toBeCloseTo(0.7, 2);
  });
});
