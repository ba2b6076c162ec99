import { describe, expect, it } from 'vitest';
import { estimateKey, keyFromChroma } from '../../../src/audio/key/key.js';
import { mulberry32 } from '../../../src/audio/random.js';

const SR = 22050;

/** Chords of a progression (MIDI triads), one per second, with a little noise and a kick. */
function progression(chords: number[][], seconds = 1, seed = 3, bass?: number[]): Float32Array {
  const rand = mulberry32(seed);
  const x = new Float32Array(Math.round(chords.length * seconds * SR));
  chords.forEach((chord, c) => {
    const i0 = Math.round(c * seconds * SR);
    for (let i = 0; i < seconds * SR; i++) {
      const t = i / SR;
      let v = 0;
      for (const m of [...chord, bass ? bass[c] : chord[0] - 12]) {
        const hz = 440 * Math.pow(2, (m - 69) / 12);
        v += Math.sin(2 * Math.PI * hz * t) + 0.3 * Math.sin(4 * Math.PI * hz * t);
      }
      x[i0 + i] = 0.05 * v + 0.02 * (rand() * 2 - 1) + (i < 300 ? 0.5 * Math.sin(i / 10) : 0);
    }
  });
  return x;
}

describe('key estimate', () => {
  it('finds G major from I–V–vi–IV', () => {
    const G = [55, 59, 62];
    const D = [62, 66, 69];
    const Em = [64, 67, 71];
    const C = [60, 64, 67];
    const k = estimateKey(progression([G, D, Em, C, G, D, C, G]), SR);
    expect(k?.name).toBe('G major');
    expect(k?.confidence).toBeGreaterThan(0.3);
  });

  it('finds E minor from i–VI–III–VII with the tonic stressed', () => {
    const Em = [52, 55, 59];
    const C = [48, 52, 55];
    const G = [55, 59, 62];
    const D = [50, 54, 57];
    const B = [59, 63, 66]; // the dominant with the raised leading tone
    const k = estimateKey(progression([Em, C, G, D, Em, B, Em, Em]), SR);
    expect(k).toMatchObject({ tonic: 'E', mode: 'minor', name: 'E minor' });
  });

  it('is unsure of a chromatic cluster and silent on silence', () => {
    const flat = keyFromChroma(new Array(12).fill(1).map((v, i) => v + (i % 2) * 1e-3));
    expect(flat?.confidence ?? 0).toBeLessThan(0.2);
    expect(estimateKey(new Float32Array(SR * 2), SR)).toBeUndefined();
    expect(estimateKey(new Float32Array(10), SR)).toBeUndefined();
  });

  it('takes the tonic from the bass when the chords fit a key and its relative alike', () => {
    // C–Am–F–G–C–Am–F–G over a pedal: on A it is A minor, on C it is C major.
    const C = [60, 64, 67];
    const Am = [57, 60, 64];
    const F = [53, 57, 60];
    const G = [55, 59, 62];
    const chords = [C, Am, F, G, C, Am, F, G];
    expect(estimateKey(progression(chords, 1, 3, new Array(8).fill(45)), SR)?.name).toBe('A minor');
    expect(estimateKey(progression(chords, 1, 3, new Array(8).fill(48)), SR)?.name).toBe('C major');
  });

  it('is less sure of a song that changes key halfway than of one that keeps it', () => {
    const G = [55, 59, 62];
    const D = [62, 66, 69];
    const Em = [64, 67, 71];
    const C = [60, 64, 67];
    const Eb = [63, 67, 70];
    const Bb = [58, 62, 65];
    const Ab = [56, 60, 63];
    const steady = estimateKey(progression([G, D, Em, C, G, D, C, G, G, D, Em, C, G, D, C, G]), SR);
    const moving = estimateKey(progression([G, D, Em, C, G, D, C, G, Eb, Bb, Ab, Eb, Bb, Eb, Ab, Eb]), SR);
    expect(steady?.name).toBe('G major');
    expect(steady?.confidence ?? 0).toBeGreaterThan(0.6);
    expect(moving?.confidence ?? 1).toBeLessThan((steady?.confidence ?? 0) - 0.2);
  });
});
