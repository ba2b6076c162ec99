import { describe, expect, it } from 'vitest';
import { offSnare, onLowPhase } from '../../../src/audio/beats/low-phase.js';
import { FLUX_DELAY, onsetStrength } from '../../../src/audio/beats/onset-strength.js';
import { beatConfidenceOf } from '../../../src/engines/beats/beat-dsp.js';
import { confidenceTerms } from '../../../src/audio/beats/confidence.js';
import { hit, rockGroove, SR } from './signals.js';

/** A punk chorus at `bpm`: a soft kick and bass on the beats, a loud snare (with its body) on every off-beat. */
function skank(bpm: number, seconds: number): { signal: Float32Array; beats: number[] } {
  const out = new Float32Array(Math.round(seconds * SR));
  const p = 60 / bpm;
  const beats: number[] = [];
  for (let i = 0; 0.5 + i * p < seconds - 0.5; i++) {
    const t = 0.5 + i * p;
    beats.push(t);
    hit(out, t, 55, 0.12, 0.06);
    hit(out, t, 98, 0.12, 0.1);
    hit(out, t + p / 2, 180, 0.25, 0.04, 0.8);
  }
  return { signal: out, beats };
}

describe('offSnare: alike bright beats over a quieter kick', () => {
  it('moves beats tracked on the loud off-beat snare onto the beat', () => {
    const { signal, beats } = skank(180, 16);
    const os = onsetStrength(signal, SR);
    const p = beats[1] - beats[0];
    const onSnare = Float64Array.from(beats.slice(0, -1), (t) => (t + p / 2) * os.frameRate + FLUX_DELAY);
    // The snare's body fools the low band too: the kick-and-bass rule alone keeps these beats.
    expect(onLowPhase(os.odf, os.low, onSnare)).toBe(onSnare);
    const moved = offSnare(os.odf, os.low, onSnare);
    // Half a beat later, and as many beats: the last one is not dropped.
    expect(moved.length).toBe(onSnare.length);
    const times = Array.from(moved, (f) => (f - FLUX_DELAY) / os.frameRate);
    const hits = times.filter((t) => beats.some((b) => Math.abs(b - t) < 0.03)).length;
    expect(hits / times.length).toBeGreaterThan(0.9);
    // On the moved beats the low band cannot tell the phase (the snare's body): the move is the evidence.
    const terms = confidenceTerms(os.odf, os.low, moved, 0.5, os.odf.length, 0);
    expect(beatConfidenceOf(terms)).toBeLessThan(0.3);
    expect(beatConfidenceOf({ ...terms, snareMoved: true })).toBeGreaterThan(0.5);
  });

  it('leaves the true beats of a rock groove alone', () => {
    const { signal, beats } = rockGroove(120, 16);
    const os = onsetStrength(signal, SR);
    const frames = Float64Array.from(beats, (t) => t * os.frameRate + FLUX_DELAY);
    expect(offSnare(os.odf, os.low, frames)).toBe(frames);
  });
});
