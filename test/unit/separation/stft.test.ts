import { describe, expect, it } from 'vitest';
import { median9 } from '../../../src/audio/hpss.js';
import { SongStft } from '../../../src/audio/separation/song-stft.js';
import { DEMUCS_HOP, DEMUCS_N_FFT, DemucsStft, hannPeriodic } from '../../../src/audio/stft.js';

const SEGMENT = 343980;
const PAD = (DEMUCS_HOP / 2) * 3;

/** Sum of sines well below Nyquist (demucs drops the Nyquist bin, so that content cannot round-trip). */
function tones(length: number, channels: number): Float32Array {
  const x = new Float32Array(channels * length);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < length; i++) {
      x[c * length + i] =
        0.3 * Math.sin(0.013 * i + c) + 0.2 * Math.sin(0.71 * i) + 0.1 * Math.cos(2.1 * i + 0.5 * c);
    }
  }
  return x;
}

function maxAbsDiff(a: Float32Array, b: Float32Array, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('DemucsStft (demucs _spec/_ispec conventions)', () => {
  const stft = new DemucsStft(SEGMENT);

  it('has the shapes of the htdemucs graph', () => {
    expect(stft.bins).toBe(2048);
    expect(stft.frames).toBe(336);
    expect(stft.specSize(2)).toBe(4 * 2048 * 336);
  });

  it('round-trips a band-limited signal to < 1e-5 away from the two dropped frames at each end', () => {
    const x = tones(SEGMENT, 2);
    const spec = new Float32Array(stft.specSize(2));
    stft.forward(x, 2, spec);
    const y = new Float32Array(2 * SEGMENT);
    stft.inverseAdd(spec, 2, y);
    for (let c = 0; c < 2; c++) {
      // demucs drops frames that reach PAD samples into each end: those samples cannot be exact.
      const lo = c * SEGMENT + PAD;
      const hi = c * SEGMENT + stft.frames * DEMUCS_HOP - PAD;
      expect(maxAbsDiff(x, y, lo, hi)).toBeLessThan(1e-5);
    }
  });

  it('adds into the output rather than overwriting it', () => {
    const x = tones(SEGMENT, 1);
    const spec = new Float32Array(stft.specSize(1));
    stft.forward(x, 1, spec);
    const y = new Float32Array(SEGMENT).fill(1);
    stft.inverseAdd(spec, 1, y);
    expect(y[100_000] - 1).toBeCloseTo(x[100_000], 5);
  });

  it('ignores the imaginary part of the DC bin (a model output may carry one) instead of leaking it into the paired signal', () => {
    const spec = new Float32Array(stft.specSize(2));
    const plane = stft.bins * stft.frames;
    for (let t = 0; t < stft.frames; t++) spec[plane + t] = 5; // Im(DC) of signal 0 in every frame
    const y = new Float32Array(2 * SEGMENT);
    stft.inverseAdd(spec, 2, y);
    expect(maxAbsDiff(y, new Float32Array(2 * SEGMENT), 0, 2 * SEGMENT)).toBe(0);
  });

  it('matches a direct normalised DFT of a reflect-padded frame', () => {
    const x = tones(SEGMENT, 1);
    const spec = new Float32Array(stft.specSize(1));
    stft.forward(x, 1, spec);
    const w = hannPeriodic(DEMUCS_N_FFT);
    const plane = stft.bins * stft.frames;
    // Frame 0 starts PAD samples before the signal: its first samples are x[PAD], x[PAD-1], …
    for (const [t, k] of [
      [0, 3],
      [0, 200],
      [335, 17],
      [100, 1000],
    ]) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < DEMUCS_N_FFT; i++) {
        let n = t * DEMUCS_HOP - PAD + i;
        if (n < 0) n = -n;
        if (n >= SEGMENT) n = 2 * (SEGMENT - 1) - n;
        const v = (x[n] * w[i]) / Math.sqrt(DEMUCS_N_FFT);
        re += v * Math.cos((2 * Math.PI * k * i) / DEMUCS_N_FFT);
        im -= v * Math.sin((2 * Math.PI * k * i) / DEMUCS_N_FFT);
      }
      expect(spec[k * stft.frames + t]).toBeCloseTo(re, 3);
      expect(spec[plane + k * stft.frames + t]).toBeCloseTo(im, 3);
    }
  });

  it('rejects signals too short to reflect-pad', () => {
    expect(() => new DemucsStft(PAD)).toThrow(RangeError);
  });
});

describe('SongStft', () => {
  it('round-trips the whole signal, edges included, to < 1e-5 (one or two signals per inverse)', () => {
    const n = 44_100 * 3 + 123;
    const st = new SongStft(n, 4096, 1024);
    const x = tones(n, 2);
    const a = x.subarray(0, n);
    const b = x.subarray(n);
    const A = new Float32Array(st.specSize);
    const B = new Float32Array(st.specSize);
    st.forward(a, A);
    st.forward(b, B);
    const ya = new Float32Array(n);
    const yb = new Float32Array(n);
    st.inverse(A, ya, B, yb);
    expect(maxAbsDiff(a, ya, 0, n)).toBeLessThan(1e-5);
    expect(maxAbsDiff(b, yb, 0, n)).toBeLessThan(1e-5);
    const single = new Float32Array(n);
    st.inverse(B, single);
    expect(maxAbsDiff(b, single, 0, n)).toBeLessThan(1e-5);
  });
});

describe('median9', () => {
  it('returns the median of any 9 values', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 10 - 5;
    for (let trial = 0; trial < 500; trial++) {
      const v = Float64Array.from({ length: 9 }, () => Math.round(rnd() * 10) / 10);
      const sorted = [...v].sort((p, q) => p - q);
      expect(median9(v) === sorted[4]).toBe(true);
    }
  });
});
