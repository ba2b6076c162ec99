import { describe, expect, it } from 'vitest';
import type { VocalFeatures } from '../../../src/audio/lyrics/features.js';
import type { SungCues } from '../../../src/audio/lyrics/sung-cues.js';
import type { VoiceActivity } from '../../../src/audio/vad.js';
import { alignSung, type SungWord } from '../../../src/engines/transcription/sung-aligner.js';
import { nearFactor } from '../../../src/engines/transcription/sung-confidence.js';

const HOP = 0.01;
const N = 250; // 2.5 s

/**
 * One line, "a b": voice from 0.5 to 2.0 s; the notes are 60 (0.5–1.0 s) and 64 (1.0–2.0 s,
 * the line's held last note). The syllable-boundary cues are weak at the true note change
 * (1.0 s) and strong at 1.25 s (a consonant-like flux inside the held note), so on boundaries and
 * durations alone "b" starts one note late; only the pitch says that 1.0–1.25 s is b's note.
 */
function scene(withPitch: boolean, clear = false) {
  const prob = new Float32Array(N).fill(0.02);
  const energyDb = new Float32Array(N).fill(-80);
  for (let t = 50; t < 200; t++) {
    prob[t] = 0.95;
    energyDb[t] = -20;
  }
  const features: VocalFeatures = {
    hopS: HOP,
    energyDb,
    onset: new Float32Array(N),
    offset: new Float32Array(N),
  };
  const activity: VoiceActivity = {
    hopS: HOP,
    prob,
    segments: [{ start: 0.5, end: 2.0 }] as VoiceActivity['segments'],
    levelDb: -20,
    thresholdDb: -40,
    hasVoice: true,
  };
  const boundary = new Float32Array(N);
  const peaks = new Float32Array(N);
  const wordBoundary = new Float32Array(N);
  boundary[50] = peaks[50] = 1;
  wordBoundary[50] = 1;
  boundary[100] = peaks[100] = clear ? 1 : 0.6;
  if (!clear) boundary[125] = peaks[125] = 1;
  const noteMidi = new Float32Array(N).fill(NaN);
  for (let t = 50; t < 200; t++) noteMidi[t] = t < 100 ? 60 : 64;
  const cues: SungCues = {
    hopS: HOP,
    boundary,
    peaks,
    wordBoundary,
    voicing: prob,
    ...(withPitch ? { noteMidi } : {}),
  };
  const words: SungWord[] = [
    { syllables: 1, lineStart: true, lineEnd: false },
    { syllables: 1, lineStart: false, lineEnd: true },
  ];
  return alignSung(words, features, activity, cues);
}

describe('sung aligner: a syllable is one note', () => {
  it('does not give one syllable two notes to put the next word on a stronger boundary', () => {
    const blind = scene(false);
    const heard = scene(true);
    expect(Math.abs(blind[1].start - 1.25)).toBeLessThan(0.05);
    expect(Math.abs(heard[1].start - 1.0)).toBeLessThan(0.05);
  });
});

describe('sung word confidence: the near margin (a run one note off)', () => {
  it('doubts a word that could as well start one note away, not one the audio pins', () => {
    const blind = scene(false);
    const clear = scene(false, true);
    expect(blind[1].evidence.near).toBeLessThan(2);
    expect(clear[1].evidence.near).toBeGreaterThan(3);
    // Without the near-margin factor its confidence would be 0.66.
    expect(blind[1].confidence).toBeLessThan(0.6);
    expect(nearFactor(0)).toBeCloseTo(0.7, 5);
    expect(nearFactor(1.5)).toBeLessThan(nearFactor(2.5));
    expect(nearFactor(10)).toBe(1);
  });
});
