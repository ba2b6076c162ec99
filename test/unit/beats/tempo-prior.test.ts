import { describe, expect, it } from 'vitest';
import { estimateMeter } from '../../../src/audio/beats/meter.js';
import { checkOctave } from '../../../src/audio/beats/octave.js';
import { tempoStrain } from '../../../src/audio/beats/tempo-prior.js';
import { barSupport } from '../../../src/engines/beats/beat-dsp.js';

const P = 40; // frames per tracked pulse
const N = 64; // tracked pulses
const pulses = Float64Array.from({ length: N }, (_, i) => P + i * P);

/** An onset-strength envelope with a 1-frame peak of `v` at each frame `t`. */
function envelope(hits: [number, number][]): Float32Array {
  const x = new Float32Array(P * (N + 2));
  for (const [t, v] of hits) {
    const i = Math.round(t);
    if (i >= 0 && i < x.length) x[i] = Math.max(x[i], v);
  }
  return x;
}

describe('tempo strain (the preferred tempo band)', () => {
  it('is 0 inside 80–140 BPM and rises to 1 at 50 and 200 BPM', () => {
    for (const bpm of [80, 100, 120, 140]) expect(tempoStrain(bpm)).toBe(0);
    expect(tempoStrain(170)).toBeGreaterThan(0.4);
    expect(tempoStrain(170)).toBeLessThan(0.7);
    expect(tempoStrain(200)).toBeCloseTo(1, 5);
    expect(tempoStrain(240)).toBe(1);
    expect(tempoStrain(65)).toBeGreaterThan(0.3);
    expect(tempoStrain(50)).toBeCloseTo(1, 5);
    expect(tempoStrain(0)).toBe(0);
  });
});

describe('octave check: less evidence needed towards the preferred band', () => {
  // A backbeat tracked twice too fast: kick and bass on every other pulse, snare on every fourth,
  // hats on every pulse, and soft sixteenth ghost notes half-way (a quarter of the pulses).
  const full: [number, number][] = [];
  const low: [number, number][] = [];
  pulses.forEach((t, i) => {
    full.push([t, i % 4 === 3 ? 1 : 0.8], [t + P / 2, 0.2]);
    if (i % 2 === 1) low.push([t, 1]);
  });
  const odf = envelope(full);
  const lowBand = envelope(low);

  it('halves it at 195 BPM, where the old fixed threshold (half-beat below 0.2) kept the eighths', () => {
    const d = checkOctave(odf, lowBand, pulses, 195, false);
    expect(d.cues.half).toBeGreaterThan(0.2);
    expect(d.factor).toBe(0.5);
    expect(d.parity).toBe(1);
  });

  it('keeps the same pulses at 120 BPM (halving would leave the preferred band)', () => {
    expect(checkOctave(odf, lowBand, pulses, 120, false).factor).toBe(1);
  });

  it('doubles a flat-quartered half-time reading at 66 BPM but not at 100', () => {
    const flat: [number, number][] = [];
    const kick: [number, number][] = [];
    for (const t of pulses) {
      flat.push([t, 1], [t + P / 2, 0.5], [t + P / 4, 0.43], [t + (3 * P) / 4, 0.43]);
      kick.push([t, 1], [t + P / 2, 0.6]);
    }
    expect(checkOctave(envelope(flat), envelope(kick), pulses, 66, false).factor).toBe(2);
    expect(checkOctave(envelope(flat), envelope(kick), pulses, 100, false).factor).toBe(1);
  });
});

describe('the bar term of beat and tempo confidence', () => {
  const bands = 4;
  const meterOf = (third: number) => {
    // Four-beat bars: a strong accent on 1 and one of `third` on 3 (1 = as strong as beat 1).
    const hits: [number, number][] = Array.from(pulses, (t, i) => [
      t,
      i % 4 === 0 ? 1 : i % 4 === 2 ? third : 0.2,
    ]);
    const acc = envelope(hits);
    return estimateMeter({
      beats: pulses,
      odf: acc,
      low: acc,
      logMel: new Float32Array(acc.length * bands),
      bands,
    });
  };

  it('finds the bar phase clear for a lone downbeat accent and vague when beat 3 nearly matches it', () => {
    const clear = meterOf(0.2);
    const unclear = meterOf(0.8); // a loud snare on 3
    expect(clear.beatsPerBar).toBe(4);
    expect(unclear.beatsPerBar).toBe(4);
    expect(clear.phaseClear).toBeGreaterThan(0.8);
    expect(unclear.phaseClarity).toBeLessThan(clear.phaseClarity);
    expect(unclear.phaseClear).toBeLessThan(0.5);
  });

  it('keeps 0.6 of the confidence when the bars are vague, all of it when clear or unknown', () => {
    expect(barSupport(0)).toBeCloseTo(0.6, 10);
    expect(barSupport(1)).toBe(1);
    expect(barSupport(undefined)).toBe(1);
    expect(barSupport(0.5)).toBeCloseTo(0.8, 10);
  });
});
