import { describe, expect, it } from 'vitest';
import { analyzeBeats } from '../../../src/engines/beats/beat-dsp.js';
import { beatRecall, clickTrack, rng, SR } from './signals.js';

describe('metered part of a song', () => {
  it('reports no beats in a free-tempo intro of irregular hits', () => {
    const intro = 6;
    const { signal: clicks, beats } = clickTrack({ bpm: 100, seconds: 20, beatsPerBar: 4, subdivide: 2 });
    const out = new Float32Array(Math.round((intro + 20) * SR));
    out.set(clicks, intro * SR);
    // Rubato: a few loud chords at random times, no pulse.
    const r = rng(11);
    for (let t = 0.3; t < intro - 0.5; t += 0.7 + 0.6 * Math.abs(r())) {
      const i0 = Math.round(t * SR);
      for (let i = 0; i < 4000; i++)
        out[i0 + i] += 0.4 * Math.exp(-i / 1500) * Math.sin((2 * Math.PI * 220 * i) / SR);
    }
    const a = analyzeBeats(out, SR);
    // At most one beat may bridge from the last rubato hit into the metered part.
    expect(a.beats.filter((b) => b < intro - 0.1).length).toBeLessThanOrEqual(1);
    expect(
      beatRecall(
        a.beats,
        beats.map((b) => b + intro),
        0.05,
        intro + 1,
      ),
    ).toBeGreaterThan(0.95);
  });

  it('keeps beats through a fade-in', () => {
    const { signal, beats } = clickTrack({ bpm: 126, seconds: 20, beatsPerBar: 4, subdivide: 2 });
    const fade = 6 * SR;
    for (let i = 0; i < fade; i++) signal[i] *= (i / fade) ** 2;
    const a = analyzeBeats(signal, SR);
    expect(Math.abs(a.tempoBpm / 126 - 1)).toBeLessThan(0.01);
    expect(beatRecall(a.beats, beats, 0.05, 2)).toBeGreaterThan(0.95);
  });

  it('follows a gentle accelerando (116 → 124 BPM)', () => {
    const seconds = 30;
    const out = new Float32Array(seconds * SR);
    const truth: number[] = [];
    for (let t = 0.2; t < seconds - 0.3; t += 60 / (116 + (8 * t) / seconds)) {
      truth.push(t);
      const i0 = Math.round(t * SR);
      for (let i = 0; i < 1500; i++)
        out[i0 + i] += 0.5 * Math.exp(-i / 250) * Math.sin((2 * Math.PI * 1500 * i) / SR);
    }
    const a = analyzeBeats(out, SR);
    expect(beatRecall(a.beats, truth, 0.05, 1)).toBeGreaterThan(0.95);
    expect(a.tempoBpm).toBeGreaterThan(116);
    expect(a.tempoBpm).toBeLessThan(124);
  });
});
