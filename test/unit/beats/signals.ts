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
