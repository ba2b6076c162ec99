import { describe, expect, it } from 'vitest';
import { hzToMidi, trackPitch } from '../../../src/audio/pitch/track.js';
import { mulberry32 } from '../../../src/audio/random.js';

const SR = 44100;

/** A voice-like tone: a few harmonics with falling amplitude, following f(t). */
function harmonicTone(seconds: number, freqAt: (t: number) => number, sr = SR): Float32Array {
  const n = Math.round(seconds * sr);
  const out = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * freqAt(i / sr)) / sr;
    let v = 0;
    for (let h = 1; h <= 5; h++) v += Math.sin(h * phase) / h;
    out[i] = 0.3 * v;
  }
  return out;
}

function cents(a: number, b: number): number {
  return 1200 * Math.log2(a / b);
}

function framesBetween(hop: number, t0: number, t1: number): number[] {
  const out: number[] = [];
  for (let f = Math.ceil(t0 / hop); f * hop <= t1; f++) out.push(f);
  return out;
}

describe('trackPitch', () => {
  it('gives a 10 ms grid covering the signal', () => {
    const track = trackPitch(new Float32Array(SR), SR);
    expect(track.hop).toBe(0.01);
    expect(track.f0.length).toBe(100);
    expect(track.voicing.length).toBe(100);
  });

  it.each([82.4, 220, 440, 880])('tracks a steady %s Hz tone within 10 cents', (hz) => {
    const track = trackPitch(
      harmonicTone(1, () => hz),
      SR,
    );
    const frames = framesBetween(track.hop, 0.1, 0.9);
    for (const f of frames) {
      expect(track.voicing[f]).toBeGreaterThan(0.5);
      expect(Math.abs(cents(track.f0[f], hz))).toBeLessThan(10);
    }
  });

  it('follows a glide from 200 to 400 Hz', () => {
    const glide = (t: number): number => 200 * Math.pow(2, t / 2);
    const track = trackPitch(harmonicTone(2, glide), SR);
    for (const f of framesBetween(track.hop, 0.1, 1.9)) {
      expect(Math.abs(cents(track.f0[f], glide(f * track.hop)))).toBeLessThan(20);
    }
  });

  it('reports silence and noise as unvoiced', () => {
    const rand = mulberry32(7);
    const noise = new Float32Array(SR).map(() => 0.2 * (rand() * 2 - 1));
    const silence = new Float32Array(SR);
    for (const x of [noise, silence]) {
      const track = trackPitch(x, SR);
      const voiced = track.f0.filter((v) => v > 0).length;
      expect(voiced / track.f0.length).toBeLessThan(0.1);
      const meanVoicing = track.voicing.reduce((a, b) => a + b, 0) / track.voicing.length;
      expect(meanVoicing).toBeLessThan(0.3);
    }
  });

  it('finds the onset and offset of a note between silences', () => {
    const x = new Float32Array(2 * SR);
    x.set(
      harmonicTone(1, () => 330),
      Math.round(0.5 * SR),
    );
    const track = trackPitch(x, SR);
    const voiced = [...track.f0.keys()].filter((f) => track.f0[f] > 0);
    expect(voiced[0] * track.hop).toBeGreaterThan(0.45);
    expect(voiced[0] * track.hop).toBeLessThan(0.56);
    expect(voiced[voiced.length - 1] * track.hop).toBeGreaterThan(1.44);
    expect(voiced[voiced.length - 1] * track.hop).toBeLessThan(1.56);
    for (const f of framesBetween(track.hop, 0.6, 1.4)) {
      expect(Math.abs(hzToMidi(track.f0[f]) - hzToMidi(330))).toBeLessThan(0.1);
    }
  });

  it('works at 16 kHz input and on an empty signal', () => {
    const track = trackPitch(
      harmonicTone(0.5, () => 500, 16000),
      16000,
    );
    expect(Math.abs(cents(track.f0[25], 500))).toBeLessThan(10);
    expect(trackPitch(new Float32Array(0), SR).f0.length).toBe(0);
  });

  it('rejects nonsense options', () => {
    expect(() => trackPitch(new Float32Array(10), 0)).toThrow(RangeError);
    expect(() => trackPitch(new Float32Array(10), SR, { fmin: 500, fmax: 100 })).toThrow(RangeError);
  });
});
