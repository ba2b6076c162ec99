/**
 * Synthetic test signals for the beat tests, made in memory: click tracks with accents,
 * subdivisions and bar-wise pitch changes, noise and tones. Deterministic (seeded noise).
 */
import { mulberry32 } from '../../../src/audio/random.js';

export const SR = 44100;

export interface ClickTrack {
  bpm: number;
  seconds: number;
  /** Beats per bar (accented first beat, a lower "kick" and a chord change on it). */
  beatsPerBar?: number;
  /** Soft clicks dividing each beat (2 = eighths, 3 = triplet eighths). */
  subdivide?: number;
  /** Seconds of silence before the first beat. */
  offset?: number;
  sampleRate?: number;
}

/** A seeded uniform generator in [-1, 1). */
export function rng(seed: number): () => number {
  const u = mulberry32(seed);
  return () => 2 * u() - 1;
}

function addBurst(out: Float32Array, at: number, sr: number, freq: number, amp: number, decay: number): void {
  const start = Math.round(at * sr);
  const len = Math.round(decay * 6 * sr);
  for (let i = 0; i < len && start + i < out.length; i++) {
    out[start + i] += amp * Math.exp(-i / (decay * sr)) * Math.sin((2 * Math.PI * freq * i) / sr);
  }
}

/** A decaying tone (plus optional seeded noise) added to `out` at `at` seconds. */
export function hit(
  out: Float32Array,
  at: number,
  freq: number,
  amp: number,
  decay: number,
  noiseAmp = 0,
): void {
  const r = rng(Math.round(at * 1000) + 7);
  const s = Math.round(at * SR);
  for (let i = 0; i < decay * 6 * SR && s + i < out.length; i++)
    out[s + i] +=
      Math.exp(-i / (decay * SR)) * (amp * Math.sin((2 * Math.PI * freq * i) / SR) + noiseAmp * r());
}

/**
 * A rock groove on the given beat times: kick on 1 and 3, a snare (noise) on 2 and 4, a bass note
 * on every beat, quiet hi-hat eighths.
 */
export function grooveOn(beats: number[], seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * SR));
  for (let i = 0; i < beats.length; i++) {
    const t = beats[i];
    const p = (beats[i + 1] ?? t + (t - beats[i - 1])) - t;
    if (i % 2 === 0) hit(out, t, 55, 0.7, 0.06);
    else hit(out, t, 2500, 0.05, 0.03, 0.5);
    hit(out, t, 98, 0.35, 0.12);
    hit(out, t + p / 2, 7000, 0.03, 0.004, 0.05);
  }
  return out;
}

/** `grooveOn` at a constant `bpm` from 0.5 s; returns the signal and its beat times. */
export function rockGroove(bpm: number, seconds: number): { signal: Float32Array; beats: number[] } {
  const p = 60 / bpm;
  const beats: number[] = [];
  for (let i = 0; 0.5 + i * p < seconds - 0.5; i++) beats.push(0.5 + i * p);
  return { signal: grooveOn(beats, seconds), beats };
}

/** Mono click track; returns the signal and the true beat times. */
export function clickTrack(o: ClickTrack): { signal: Float32Array; beats: number[] } {
  const sr = o.sampleRate ?? SR;
  const out = new Float32Array(Math.round(o.seconds * sr));
  const period = 60 / o.bpm;
  const bpb = o.beatsPerBar ?? 1;
  const beats: number[] = [];
  const chord = [330, 392, 294, 440];
  for (let i = 0, t = o.offset ?? 0; t < o.seconds - 0.2; i++, t = (o.offset ?? 0) + i * period) {
    beats.push(t);
    const down = bpb > 1 && i % bpb === 0;
    addBurst(out, t, sr, 1500, down ? 0.5 : 0.35, 0.006);
    if (down) {
      addBurst(out, t, sr, 70, 0.6, 0.05);
      // A sustained tone that changes every bar: the harmonic cue for downbeats.
      const f = chord[Math.floor(i / bpb) % chord.length];
      addBurst(out, t, sr, f, 0.08, (period * bpb) / 3);
    }
    for (let k = 1; k < (o.subdivide ?? 1); k++)
      addBurst(out, t + (k * period) / (o.subdivide ?? 1), sr, 3000, 0.12, 0.004);
  }
  return { signal: out, beats };
}

export function noise(seconds: number, seed = 1, amp = 0.3): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(Math.round(seconds * SR));
  for (let i = 0; i < out.length; i++) out[i] = amp * r();
  return out;
}

export function tone(seconds: number, freq = 440, amp = 0.3): Float32Array {
  const out = new Float32Array(Math.round(seconds * SR));
  for (let i = 0; i < out.length; i++) out[i] = amp * Math.sin((2 * Math.PI * freq * i) / SR);
  return out;
}

/** Share of true beats (after `from` s) with an estimated beat within `tol` s. */
export function beatRecall(est: ArrayLike<number>, truth: number[], tol = 0.05, from = 0): number {
  const ref = truth.filter((t) => t >= from);
  let hit = 0;
  for (const t of ref) {
    for (let i = 0; i < est.length; i++) {
      if (Math.abs(est[i] - t) <= tol) {
        hit++;
        break;
      }
    }
  }
  return ref.length > 0 ? hit / ref.length : 0;
}
