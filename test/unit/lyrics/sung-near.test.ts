import { describe, expect, it } from 'vitest';
import type { VocalFeatures } from '../../../src/audio/lyrics/features.js';
import type { SungCues } from '../../../src/audio/lyrics/sung-cues.js';
import type { VoiceActivity } from '../../../src/audio/vad.js';
import { alignSung, type SungWord } from '../../../src/engines/transcription/sung-aligner.js';
import { nearFactor } from '../../../src/engines/transcription/sung-confidence.js';

const HOP = 0.01;
const N = 250; // 2.5 s

/**
 * One line, "a b": voice from 0.5 to 2.0 s, "b" the line's held last note. The syllable-boundary
 * cues are weak at 1.0 s and strong at 1.25 s, so "b" could start at either, 250 ms apart (one
 * note): the aligner takes 1.25 s but cannot tell. `clear`: a single strong boundary at 1.0 s.
 */
function scene(clear = false) {
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
  const cues: SungCues = {
    hopS: HOP,
    boundary,
    peaks,
    wordBoundary,
    voicing: prob,
  };
  const words: SungWord[] = [
    { syllables: 1, lineStart: true, lineEnd: false },
    { syllables: 1, lineStart: false, lineEnd: true },
  ];
  return alignSung(words, features, activity, cues);
}

describe('sung word confidence: the near margin (a run one note off)', () => {
  it('doubts a word that could as well start one note away, not one the audio pins', () => {
    const blind = scene();
    const clear = scene(true);
    expect(Math.abs(blind[1].start - 1.25)).toBeLessThan(0.05);
    expect(Math.abs(clear[1].start - 1.0)).toBeLessThan(0.05);
    expect(blind[1].evidence.near).toBeLessThan(2);
    expect(clear[1].evidence.near).toBeGreaterThan(3);
    // Without the near-margin factor its confidence would be 0.66.
    expect(blind[1].confidence).toBeLessThan(0.6);
    expect(nearFactor(0)).toBeCloseTo(0.7, 5);
    expect(nearFactor(1.5)).toBeLessThan(nearFactor(2.5));
    expect(nearFactor(10)).toBe(1);
  });
});
