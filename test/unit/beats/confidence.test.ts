import { describe, expect, it } from 'vitest';
import { confidenceTerms } from '../../../src/audio/beats/confidence.js';
import { FLUX_DELAY, onsetStrength } from '../../../src/audio/beats/onset-strength.js';
import { analyzeBeats, beatConfidenceOf } from '../../../src/engines/beats/beat-dsp.js';
import { rng, rockGroove, SR } from './signals.js';

const frames = (times: number[], fr: number) => Float64Array.from(times, (t) => t * fr + FLUX_DELAY);

describe('beat confidence', () => {
  const { signal, beats } = rockGroove(120, 20);
  const os = onsetStrength(signal, SR);
  const conf = (times: number[]) =>
    beatConfidenceOf(confidenceTerms(os.odf, os.low, frames(times, os.frameRate), 0.5, os.odf.length, 0));

  it('is higher for the true beats than for the off-beats or the half-tempo reading of the same groove', () => {
    const p = beats[1] - beats[0];
    const truth = conf(beats);
    const offBeats = conf(beats.map((t) => t + p / 2));
    const snareOnly = conf(beats.filter((_, i) => i % 2 === 1)); // half tempo, on the snare
    expect(truth).toBeGreaterThan(0.7);
    expect(offBeats).toBeLessThan(0.1);
    expect(snareOnly).toBeLessThan(0.5);
    expect(truth).toBeGreaterThan(offBeats);
    expect(truth).toBeGreaterThan(snareOnly);
  });

  it('the engine tracks the clear groove at its tempo and says so confidently; noise it calls unsure', () => {
    const a = analyzeBeats(signal, SR);
    expect(a.tempoBpm).toBeGreaterThan(116);
    expect(a.tempoBpm).toBeLessThan(124);
    const hits = beats.filter((t) => a.beats.some((b) => Math.abs(b - t) < 0.07)).length;
    expect(hits / beats.length).toBeGreaterThan(0.9);
    expect(a.beatConfidence).toBeGreaterThan(0.5);
    expect(a.confidenceTerms?.offLow).toBeGreaterThan(1);
    const r = rng(3);
    const noise = Float32Array.from({ length: 10 * SR }, () => 0.3 * r());
    expect(analyzeBeats(noise, SR).beatConfidence).toBeLessThan(0.5);
  });
});
