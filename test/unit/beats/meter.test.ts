import { describe, expect, it } from 'vitest';
import { analyzeBeats } from '../../../src/engines/beats/beat-dsp.js';
import { barContrast } from '../../../src/audio/beats/meter.js';
import { clickTrack, SR } from './signals.js';

describe('meter and downbeats', () => {
  it.each([
    [4, 110, '4/4'],
    [3, 90, '3/4'],
    [3, 150, '3/4'],
  ] as const)('finds %i beats per bar at %s BPM', (bpb, bpm, sig) => {
    const { signal, beats } = clickTrack({ bpm, seconds: 24, beatsPerBar: bpb, subdivide: 2, offset: 0.2 });
    const a = analyzeBeats(signal, SR);
    expect(a.timeSignature).toBe(sig);
    expect(a.beatsPerBar).toBe(bpb);
    expect(a.compound).toBe(false);
    // Every reported downbeat is a true bar start.
    const bars = beats.filter((_, i) => i % bpb === 0);
    for (const d of a.downbeats) expect(Math.min(...bars.map((b) => Math.abs(b - d)))).toBeLessThan(0.05);
    expect(a.downbeats.length).toBeGreaterThanOrEqual(bars.length - 2);
    for (let i = 0; i < a.beats.length; i++) expect(a.beatPositions[i]).toBeGreaterThanOrEqual(1);
    expect(a.meterConfidence).toBeGreaterThan(0);
  });

  it('reports 6/8 with the dotted quarter as the beat when beats divide in three', () => {
    // 6/8 at 66 dotted quarters per minute: accented bar of two beats, each split in three eighths.
    const { signal } = clickTrack({ bpm: 66, seconds: 30, beatsPerBar: 2, subdivide: 3, offset: 0.2 });
    const a = analyzeBeats(signal, SR);
    expect(Math.abs(a.tempoBpm / 66 - 1)).toBeLessThan(0.02);
    expect(a.compound).toBe(true);
    expect(a.timeSignature).toBe('6/8');
  });

  it('barContrast finds the phase of the accented beat', () => {
    const acc = Float64Array.from({ length: 24 }, (_, i) => (i % 3 === 1 ? 2 : -1));
    expect(barContrast(acc, 3)).toEqual({ phase: 1, contrast: 3 });
    expect(barContrast(acc, 4).contrast).toBeLessThan(1);
  });
});
