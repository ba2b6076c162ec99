import { describe, expect, it } from 'vitest';
import { computeVocalFeatures, HOP_SAMPLES } from '../../../src/audio/lyrics/features.js';
import { resample } from '../../../src/audio/resample.js';
import { syllableNuclei } from '../../../src/audio/lyrics/nuclei.js';
import { detectVoiceActivity, meanActivity } from '../../../src/audio/vad.js';
import { mulberry32 } from './synth-vocals.js';

const SR = 16000;

/** Harmonic tone bursts; `shaped` gives each a rise-and-fall envelope like a sung syllable. */
function bursts(spans: [number, number][], total: number, noiseDb?: number, shaped = false): Float32Array {
  const x = new Float32Array(Math.round(total * SR));
  for (const [a, b] of spans) {
    const i0 = Math.round(a * SR);
    const i1 = Math.round(b * SR);
    for (let i = i0; i < i1; i++) {
      let s = 0;
      for (let h = 1; h <= 6; h++) s += Math.sin((2 * Math.PI * 220 * h * i) / SR) / h;
      x[i] = 0.1 * s * (shaped ? Math.sin((Math.PI * (i - i0)) / (i1 - i0)) : 1);
    }
  }
  if (noiseDb !== undefined) {
    const rnd = mulberry32(7);
    const g = 10 ** (noiseDb / 20);
    for (let i = 0; i < x.length; i++) x[i] += g * (rnd() * 2 - 1);
  }
  return x;
}

describe('energy voice activity', () => {
  it('finds sung stretches and their edges', () => {
    const va = detectVoiceActivity(
      bursts(
        [
          [1, 2.5],
          [4, 4.6],
        ],
        6,
      ),
    );
    expect(va.hasVoice).toBe(true);
    expect(va.segments).toHaveLength(2);
    expect(va.segments[0].start).toBeCloseTo(1, 1);
    expect(va.segments[0].end).toBeCloseTo(2.5, 1);
    expect(va.segments[1].start).toBeCloseTo(4, 1);
    expect(meanActivity(va, 1.2, 2.3)).toBeGreaterThan(0.9);
    expect(meanActivity(va, 2.8, 3.8)).toBeLessThan(0.1);
  });

  it('merges breaths shorter than a pause into one segment', () => {
    const va = detectVoiceActivity(
      bursts(
        [
          [1, 2],
          [2.1, 3],
        ],
        4,
      ),
    );
    expect(va.segments).toHaveLength(1);
  });

  it('reports no voice on digital silence and on quiet leakage', () => {
    expect(detectVoiceActivity(new Float32Array(SR * 3)).hasVoice).toBe(false);
    const leak = detectVoiceActivity(bursts([], 3, -70));
    expect(leak.hasVoice).toBe(false);
    expect(leak.segments).toEqual([]);
  });

  it('keeps voice above a steady noise bed', () => {
    const va = detectVoiceActivity(bursts([[1, 2]], 3, -50));
    expect(va.segments).toHaveLength(1);
    expect(meanActivity(va, 0, 0.8)).toBeLessThan(0.1);
  });
});

describe('vocal features', () => {
  it('puts the onset peak at the start of a burst, on 10 ms centred frames', () => {
    const f = computeVocalFeatures(bursts([[1, 1.5]], 2));
    expect(f.hopS).toBeCloseTo(HOP_SAMPLES / SR);
    // The same burst analysed at 44.1 kHz gives the same frames (no resampling needed).
    const f44 = computeVocalFeatures(resample(bursts([[1, 1.5]], 2), SR, 44100), 44100);
    expect(Math.abs(f44.energyDb.length - f.energyDb.length)).toBeLessThanOrEqual(1);
    expect(f44.energyDb[120]).toBeCloseTo(f.energyDb[120], 0);
    let peak = 0;
    for (let t = 0; t < f.onset.length; t++) if (f.onset[t] > f.onset[peak]) peak = t;
    expect(Math.abs(peak * f.hopS - 1)).toBeLessThanOrEqual(0.025);
    let off = 0;
    for (let t = 0; t < f.offset.length; t++) if (f.offset[t] > f.offset[off]) off = t;
    expect(Math.abs(off * f.hopS - 1.5)).toBeLessThanOrEqual(0.025);
  });
});

describe('syllable nuclei', () => {
  it('finds one nucleus per sung syllable and none in silence', () => {
    // "wa-ter-fall": three 180 ms syllables joined by 20 ms consonants, then a one-syllable word.
    const x = bursts(
      [
        [1, 1.18],
        [1.2, 1.38],
        [1.4, 1.58],
        [2.2, 2.45],
      ],
      3,
      undefined,
      true,
    );
    const f = computeVocalFeatures(x);
    const va = detectVoiceActivity(x);
    const nuc = syllableNuclei(f.energyDb, va.prob);
    const at = (a: number, b: number) =>
      nuc.slice(Math.round(a / f.hopS), Math.round(b / f.hopS)).reduce((s, x) => s + x, 0);
    expect(at(0.95, 1.7)).toBe(3);
    expect(at(2.1, 2.6)).toBe(1);
    expect(at(0, 0.9) + at(1.7, 2.1) + at(2.6, 3)).toBe(0);
  });
});
