import { describe, expect, it } from 'vitest';
import { analyzeBeats } from '../../../src/engines/beats/beat-dsp.js';
import { beatRecall, clickTrack, noise, SR, tone } from './signals.js';

describe('analyzeBeats edge cases', () => {
  it('silence: no tempo, no beats, no onsets, zero confidence', () => {
    const a = analyzeBeats(new Float32Array(SR * 10), SR);
    expect(a.tempoBpm).toBe(0);
    expect(a.beats.length).toBe(0);
    expect(a.onsets.length).toBe(0);
    expect(a.timeSignature).toBe('unknown');
    expect(a.beatConfidence).toBe(0);
    expect(a.rhythmRegularity).toBe(0);
    expect(a.duration).toBeCloseTo(10, 5);
  });

  it('empty and tiny inputs do not throw', () => {
    expect(analyzeBeats(new Float32Array(0), SR).beats.length).toBe(0);
    expect(analyzeBeats(new Float32Array(100), SR).tempoBpm).toBe(0);
  });

  it('a steady tone has one onset at most and no confident pulse', () => {
    const a = analyzeBeats(tone(8), SR);
    expect(a.onsets.length).toBeLessThanOrEqual(1);
    expect(a.beatConfidence).toBeLessThan(0.2);
  });

  it('white noise has low confidence', () => {
    const a = analyzeBeats(noise(15, 7), SR);
    expect(a.beatConfidence).toBeLessThan(0.25);
    expect(a.tempoConfidence).toBeLessThan(0.35);
  });

  it('a very short file (2 s) still gives beats on the clicks when there is a pulse', () => {
    const { signal, beats } = clickTrack({ bpm: 120, seconds: 2.2, offset: 0.1 });
    const a = analyzeBeats(signal, SR);
    // Two seconds cannot settle ×½/×2; what is reported must lie on the pulse.
    expect(a.beats.length).toBeGreaterThanOrEqual(2);
    expect(beatRecall(beats, Array.from(a.beats), 0.05)).toBe(1);
    expect([60, 120, 240].some((t) => Math.abs(a.tempoBpm / t - 1) < 0.03)).toBe(true);
    expect(a.beatsPerBar).toBe(0); // too few beats for a meter
  });

  it('leading and trailing silence are not filled with beats', () => {
    const { signal: clicks } = clickTrack({ bpm: 100, seconds: 12, beatsPerBar: 4 });
    const padded = new Float32Array(SR * 20);
    padded.set(clicks, SR * 4);
    const a = analyzeBeats(padded, SR);
    expect(a.beats[0]).toBeGreaterThan(3.9);
    expect(a.beats[a.beats.length - 1]).toBeLessThan(16.1);
  });

  it('onsets of isolated clicks are found within 20 ms', () => {
    const { signal, beats } = clickTrack({ bpm: 75, seconds: 10, offset: 0.5 });
    const a = analyzeBeats(signal, SR);
    expect(beatRecall(a.onsets, beats, 0.02)).toBe(1);
    expect(a.onsets.length).toBeLessThanOrEqual(beats.length + 1);
  });

  it('a noisy click track keeps its tempo (clicks 12 dB above noise)', () => {
    const { signal, beats } = clickTrack({ bpm: 128, seconds: 15, beatsPerBar: 4 });
    const n = noise(15, 3, 0.05);
    for (let i = 0; i < signal.length; i++) signal[i] += n[i];
    const a = analyzeBeats(signal, SR);
    expect(Math.abs(a.tempoBpm / 128 - 1)).toBeLessThan(0.01);
    expect(beatRecall(a.beats, beats, 0.05, 1)).toBeGreaterThan(0.9);
  });
});
