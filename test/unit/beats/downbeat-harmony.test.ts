import { describe, expect, it } from 'vitest';
import { analyzeBeats } from '../../../src/engines/beats/beat-dsp.js';
import { beatHarmony } from '../../../src/audio/beats/harmony.js';
import { hit, SR } from './signals.js';

/** Sustained sine partials (an organ chord) from `from` to `to` seconds, with 80 ms ramps (no attack of their own). */
function chord(out: Float32Array, from: number, to: number, freqs: number[], amp: number): void {
  const a = Math.round(from * SR);
  const b = Math.min(out.length, Math.round(to * SR));
  const ramp = 0.08 * SR;
  for (let i = a; i < b; i++) {
    const g = Math.min(1, (i - a) / ramp, (b - i) / ramp) * amp;
    let v = 0;
    for (const f of freqs) v += Math.sin((2 * Math.PI * f * (i - a)) / SR);
    out[i] += g * v;
  }
}

const midiHz = (m: number): number => 440 * 2 ** ((m - 69) / 12);

/**
 * 4/4 at 120 BPM: the same kick on every beat, hi-hat eighths, a loud snare on beat 3 (the decoy: the loudest
 * and brightest beat, and the one where the spectrum changes most), and a chord with its bass
 * note that changes on every bar line — by a semitone or a tone, so the spectral envelope hardly
 * moves. Only the harmony says where the bar starts.
 */
function harmonicBars(): { signal: Float32Array; beats: number[] } {
  const seconds = 26;
  const p = 0.5;
  const out = new Float32Array(seconds * SR);
  const beats: number[] = [];
  for (let i = 0; 0.5 + i * p < seconds - 1; i++) beats.push(0.5 + i * p);
  const roots = [48, 49, 51, 50]; // C, C#, D#, D: each bar its own chord
  for (let i = 0; i < beats.length; i++) {
    const t = beats[i];
    hit(out, t, 60, 0.6, 0.05);
    hit(out, t, 7000, 0.02, 0.01, 0.1);
    hit(out, t + p / 2, 7000, 0.02, 0.01, 0.1);
    if (i % 4 === 2) hit(out, t, 1800, 0.05, 0.04, 0.25);
    if (i % 4 === 0) {
      const r = roots[(i / 4) % roots.length];
      const end = t + 4 * p;
      chord(out, t, end, [midiHz(r + 12), midiHz(r + 16), midiHz(r + 19), midiHz(r + 24)], 0.03);
      chord(out, t, end, [midiHz(r - 12), midiHz(r)], 0.06);
    }
  }
  return { signal: out, beats };
}

describe('downbeats from harmonic and bass changes', () => {
  it('puts the bar line where the chord and the bass change, not on the loud snare', () => {
    const { signal, beats } = harmonicBars();
    const a = analyzeBeats(signal, SR);
    expect(a.beatsPerBar).toBe(4);
    expect(Math.abs(a.tempoBpm / 120 - 1)).toBeLessThan(0.02);
    const bars = beats.filter((_, i) => i % 4 === 0);
    expect(a.downbeats.length).toBeGreaterThan(8);
    for (const d of a.downbeats) expect(Math.min(...bars.map((b) => Math.abs(b - d)))).toBeLessThan(0.05);
  });

  it('measures the chord and bass change at the beats where they change', () => {
    const { signal, beats } = harmonicBars();
    // At 11.025 kHz and 100 frames per second, as the engine calls it.
    const x = new Float32Array(Math.floor(signal.length / 4));
    for (let i = 0; i < x.length; i++)
      x[i] = 0.25 * (signal[4 * i] + signal[4 * i + 1] + signal[4 * i + 2] + signal[4 * i + 3]);
    const frames = Float64Array.from(beats, (t) => t * 100);
    const h = beatHarmony(x, SR / 4, 100, frames);
    for (let i = 4; i < beats.length - 4; i++) {
      const others = [i - 1, i - 2, i - 3].map((j) => h.chord[j]);
      if (i % 4 === 0) {
        expect(h.chord[i]).toBeGreaterThan(2 * Math.max(...others));
        expect(h.bass[i]).toBeGreaterThan(2 * Math.max(h.bass[i - 1], h.bass[i - 2], h.bass[i - 3]));
      }
    }
  });
});
