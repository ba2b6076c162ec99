import { describe, expect, it } from 'vitest';
import { trackPitch } from '../../../src/audio/pitch/track.js';
import { frameLevelDb } from '../../../src/audio/pitch/vowel-onsets.js';
import { loadPronunciations } from '../../../src/engines/notes/syllables.js';
import { transcribeNotes, type BeatGrid } from '../../../src/engines/notes/transcribe-notes.js';

const SR = 44100;

/** One word sung on 60 over [0.5, 1.2) s. */
function oneNote(): Float32Array {
  const x = new Float32Array(2 * SR);
  const hz = 440 * Math.pow(2, (60 - 69) / 12);
  for (let i = Math.round(0.5 * SR); i < Math.round(1.2 * SR); i++) {
    const env = Math.min(1, (i / SR - 0.5) / 0.01, (1.2 - i / SR) / 0.01);
    x[i] = 0.3 * env * Math.sin((2 * Math.PI * hz * i) / SR);
  }
  return x;
}

describe("a note's confidence and its word's timing", () => {
  const track = trackPitch(oneNote(), SR, { voicing: 'notes' });
  const confidenceWith = (confidence?: number) =>
    transcribeNotes(track, [{ word: 'sea', start: 0.5, end: 1.2, confidence }], undefined)[0].confidence;

  it('is not lowered by a sure word, or by a word without a confidence', () => {
    expect(confidenceWith(0.9)).toBeCloseTo(confidenceWith(undefined), 6);
    expect(confidenceWith(1)).toBeCloseTo(confidenceWith(undefined), 6);
  });

  it('falls with the confidence of an unsure word, never to 0', () => {
    const sure = confidenceWith(undefined);
    const half = confidenceWith(0.5);
    const none = confidenceWith(0);
    expect(half).toBeLessThan(sure);
    expect(none).toBeLessThan(half);
    expect(none).toBeGreaterThan(0.3 * sure);
  });
});

/** "carried": 57 from 0.5 s, then 53 from `step` s to 1.25 s, legato, at one level. */
function carried(step: number): Float32Array {
  const x = new Float32Array(Math.round(1.8 * SR));
  let phase = 0;
  for (let i = Math.round(0.5 * SR); i < Math.round(1.25 * SR); i++) {
    const t = i / SR;
    phase += (2 * Math.PI * 440 * Math.pow(2, ((t < step ? 57 : 53) - 69) / 12)) / SR;
    const env = Math.min(1, (t - 0.5) / 0.01, (1.25 - t) / 0.01);
    x[i] = 0.3 * env * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
  }
  return x;
}

describe("a note's confidence and the beat grid", () => {
  // Beats every 0.5 s from 0: eighths at 0.5, 0.75, 1.0, … s.
  const grid: BeatGrid = { beats: Array.from({ length: 8 }, (_, k) => 0.5 * k) };
  const notesOf = async (step: number) => {
    const x = carried(step);
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const cues = { levelDb: frameLevelDb(x, SR, track.hop, track.f0.length) };
    const words = [{ word: 'carried', start: 0.5, end: 1.25 }];
    return transcribeNotes(track, words, await loadPronunciations(), grid, cues);
  };

  it('marks a later syllable whose start the grid chose, and rates it as sure as a word start', async () => {
    // The pitch step at 0.62 s (early: a voiced consonant carrying the next note) or at 0.74 s:
    // either way the second syllable starts on the eighth at 0.75 s, chosen on the grid. On the
    // development songs such notes were right about as often as a word's first note (BENCHMARKS.md,
    // "Sung notes, tenth pass"), more often than a later syllable placed by its pitch step.
    const early = await notesOf(0.62);
    const onTime = await notesOf(0.74);
    for (const notes of [early, onTime]) {
      expect(notes.map((n) => n.midi)).toEqual([57, 53]);
      expect(notes[1].start).toBeCloseTo(0.75, 2);
      expect(notes[1].onGrid).toBe(true);
      expect(notes[0].onGrid).toBeUndefined();
    }
    const x = carried(0.74);
    const track = trackPitch(x, SR, { voicing: 'notes' });
    const cues = { levelDb: frameLevelDb(x, SR, track.hop, track.f0.length) };
    const words = [{ word: 'carried', start: 0.5, end: 1.25 }];
    const noGrid = transcribeNotes(track, words, await loadPronunciations(), undefined, cues);
    expect(noGrid[1].onGrid).toBeUndefined();
    expect(onTime[1].confidence).toBeGreaterThan(noGrid[1].confidence);
    expect(onTime[1].confidence).toBeCloseTo(early[1].confidence, 2);
  });
});
