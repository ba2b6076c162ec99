import { describe, expect, it } from 'vitest';
import { analyzeBeats } from '../../../src/engines/beats/beat-dsp.js';
import { beatRecall, clickTrack, SR } from './signals.js';

describe('analyzeBeats on click tracks', () => {
  it.each([60, 97.5, 120, 123.7, 150, 174])('finds the tempo and beats of a %s BPM click track', (bpm) => {
    const { signal, beats } = clickTrack({ bpm, seconds: 20, beatsPerBar: 4, subdivide: 2, offset: 0.3 });
    const a = analyzeBeats(signal, SR);
    expect(Math.abs(a.tempoBpm / bpm - 1)).toBeLessThan(0.01);
    expect(beatRecall(a.beats, beats, 0.05, 1)).toBeGreaterThan(0.95);
    // No beats invented: as many estimated as true ones (±2 at the edges).
    expect(Math.abs(a.beats.length - beats.length)).toBeLessThanOrEqual(2);
    expect(a.tempoConfidence).toBeGreaterThan(0.5);
    expect(a.beatConfidence).toBeGreaterThan(0.3);
    expect(a.rhythmRegularity).toBeGreaterThan(0.7);
  });

  it('reports the half-way level among the tempo candidates', () => {
    const a = analyzeBeats(clickTrack({ bpm: 100, seconds: 20, beatsPerBar: 4, subdivide: 2 }).signal, SR);
    expect(a.tempoCandidates[0].bpm).toBeCloseTo(a.tempoBpm, 1);
    expect(a.tempoCandidates[0].score).toBe(1);
    const others = a.tempoCandidates.slice(1).map((c) => c.bpm);
    expect(others.some((b) => Math.abs(b / 50 - 1) < 0.03 || Math.abs(b / 200 - 1) < 0.03)).toBe(true);
    // Exact multiples of the reported tempo, not the levels' coarser autocorrelation lags.
    for (const b of others) {
      const r = b / a.tempoBpm;
      expect([0.5, 2].some((m) => Math.abs(r - m) < 0.001)).toBe(true);
    }
  });

  it('does not clamp a fast metronome to a slower level', () => {
    const { signal } = clickTrack({ bpm: 210, seconds: 15 });
    const a = analyzeBeats(signal, SR);
    expect(Math.abs(a.tempoBpm / 210 - 1)).toBeLessThan(0.02);
  });

  it('follows a slow metronome below 60 BPM', () => {
    const { signal } = clickTrack({ bpm: 52, seconds: 25, beatsPerBar: 4 });
    const a = analyzeBeats(signal, SR);
    expect(Math.abs(a.tempoBpm / 52 - 1)).toBeLessThan(0.02);
  });

  it('works at another sample rate', () => {
    const { signal, beats } = clickTrack({ bpm: 110, seconds: 15, beatsPerBar: 4, sampleRate: 48000 });
    const a = analyzeBeats(signal, 48000);
    expect(Math.abs(a.tempoBpm / 110 - 1)).toBeLessThan(0.01);
    expect(beatRecall(a.beats, beats, 0.05, 1)).toBeGreaterThan(0.95);
  });
});
