import { describe, expect, it } from 'vitest';
import { trackPitch } from '../../../src/audio/pitch/track.js';
import { transcribeNotes } from '../../../src/engines/notes/transcribe-notes.js';

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
