import { describe, expect, it } from 'vitest';
import { trackBeats } from '../../../src/audio/beats/dp-tracker.js';
import { localTempo } from '../../../src/audio/beats/local-tempo.js';
import { decimate, FLUX_DELAY, onsetStrength } from '../../../src/audio/beats/onset-strength.js';
import { pickOnsets } from '../../../src/audio/beats/onsets.js';
import { autocorrelation, chooseLevel, tempoPeaks, type LevelInfo } from '../../../src/audio/beats/tempo.js';
import { clickTrack, SR } from './signals.js';

/** An onset envelope with unit impulses every `period` frames from `start`. */
function impulses(n: number, period: number, start = 0): Float32Array {
  const x = new Float32Array(n);
  for (let t = start; t < n; t += period) x[Math.round(t)] = 1;
  return x;
}

describe('beat DSP building blocks', () => {
  it('decimate averages channels and blocks of samples', () => {
    const a = Float32Array.from([1, 1, 1, 1, 0, 0, 0, 0]);
    const b = Float32Array.from([0, 0, 0, 0, 2, 2, 2, 2]);
    expect(Array.from(decimate([a, b], 4))).toEqual([0.5, 1]);
    expect(Array.from(decimate(Float32Array.from([1, 2, 3, 4, 5, 6]), 3))).toEqual([2, 5]);
  });

  it('onset strength runs at 100 frames per second and peaks at clicks', () => {
    const { signal } = clickTrack({ bpm: 60, seconds: 4, offset: 0.5 });
    const os = onsetStrength(signal, SR);
    expect(os.frameRate).toBeCloseTo(100, 6);
    expect(os.odf.length).toBeCloseTo(400, -1);
    const peak = os.odf.indexOf(Math.max(...os.odf.subarray(30, 80)), 30);
    expect(Math.abs(peak - 50)).toBeLessThanOrEqual(2);
  });

  it('autocorrelation peaks at the period, including fractional ones', () => {
    const acf = autocorrelation(impulses(3000, 61.54), 300);
    const peak = tempoPeaks(acf, 100).find((p) => Math.abs(p.period / 61.54 - 1) < 0.01);
    expect(peak?.bpm).toBeCloseTo(97.5, 0);
    // Rounded impulse positions split the correlation between lags 61 and 62.
    expect(peak?.acf).toBeGreaterThan(0.4);
  });

  it('the DP tracker lands on every impulse and follows a drifting tempo', () => {
    // Period glides from 50 to 56 frames (120 → 107 BPM) over the signal.
    const n = 4000;
    const x = new Float32Array(n);
    const truth: number[] = [];
    for (let t = 10, p = 50; t < n - 1; t += p, p = 50 + (6 * t) / n) {
      x[Math.round(t)] = 1;
      truth.push(Math.round(t));
    }
    // The local tempo curve (tempogram + Viterbi) tells the tracker where the period is longer.
    const local = localTempo(x, 100, 53);
    expect(local.steady).toBe(false);
    expect(local.ratio[n - 400] / local.ratio[400]).toBeGreaterThan(1.06);
    const beats = trackBeats(x, 53, { ratio: local.ratio });
    const hits = truth.filter((t) => beats.some((b) => Math.abs(b - t) <= 1)).length;
    expect(hits / truth.length).toBeGreaterThan(0.97);
    expect(beats.length).toBeLessThanOrEqual(truth.length + 1);
  });

  it('picks one onset per click and none in silence', () => {
    const x = impulses(1000, 37, 5);
    const on = pickOnsets(x, 100);
    expect(on.length).toBe(Math.ceil((1000 - 5) / 37));
    // Reported at the attack: the flux's own delay (half its 2-frame span) is removed.
    expect(on[0]).toBeCloseTo(0.05 - FLUX_DELAY / 100, 2);
    expect(pickOnsets(new Float32Array(500), 100).length).toBe(0);
  });

  it('chooseLevel descends while the faster pulse is even, and stops at a subdivision', () => {
    const lv = (bpm: number, acf: number, half: number, third: number, even2 = 0.9): LevelInfo => ({
      lowHalf: 0,
      period: 6000 / bpm,
      bpm,
      acf,
      half,
      third,
      quarter: 0.2,
      even2,
    });
    // 4/4 at 100: bar 25 → 50 (strong snare half-way) → 100 → 200 would be eighths (weak).
    const fourFour = [
      lv(25, 0.8, 0.9, 0.1),
      lv(50, 0.7, 0.8, 0.1),
      lv(100, 0.6, 0.3, 0.1),
      lv(200, 0.3, 0.3, 0.2, 0.3),
    ];
    expect(chooseLevel(fourFour)?.bpm).toBe(100);
    // 3/4 at 90: bar 30 → 90 through the thirds.
    const threeFour = [
      lv(30, 0.6, 0.4, 1.5),
      lv(60, 0.1, 0.5, 0.3),
      lv(90, 0.5, 0.3, 0.2),
      lv(180, 0.1, 0.3, 0.3, 0.3),
    ];
    expect(chooseLevel(threeFour)?.bpm).toBe(90);
    // A level that is not periodic (low autocorrelation) is never chosen.
    const spurious = [lv(30, 0.6, 0.2, 1.5), lv(90, 0.05, 0.3, 0.2), lv(60, 0.5, 0.3, 0.1)];
    expect(chooseLevel(spurious)?.bpm).toBe(60);
  });
});
