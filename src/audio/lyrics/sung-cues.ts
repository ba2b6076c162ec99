import type { VocalFeatures } from './features.js';

/**
 * Where sung syllables can start, frame by frame (on the features' 10 ms grid). Energy
 * peaks are not syllables in singing (a held note is one long peak, legato words have no
 * dip), so the evidence is a mix of cues, each 0–1:
 *  - pitch change: the median pitch just after the frame differs from the one just before
 *    by more than vibrato does (a new note);
 *  - voicing onset: the voice starts (after a consonant or a rest);
 *  - energy dip: a local minimum of the energy with some depth on both sides (the gap, or
 *    the consonant, between two words);
 *  - spectral change: the band-wise positive flux (a consonant, a new vowel).
 * `boundary` is their combination; `peaks` keeps only its local maxima (how many boundaries a
 * span crosses is what tells the aligner that a span is more than one syllable).
 */
export interface PitchInput {
  hop: number;
  f0: Float32Array;
  voicing: Float32Array;
}

export interface SungCues {
  hopS: number;
  boundary: Float32Array;
  /** `boundary` at its local maxima (±PEAK_HALF_WIDTH frames), 0 elsewhere. */
  peaks: Float32Array;
  /** Dip/rest part alone: evidence that a word (not only a syllable) starts here. */
  wordBoundary: Float32Array;
  /** Voicing probability on the features' grid. */
  voicing: Float32Array;
}

const PITCH_SIDE = 6; // frames each side for the median pitch (60 ms)
const PITCH_MIN_SIDE = 3;
const VIBRATO_ST = 0.45; // a held note's vibrato stays within this (semitones, median vs median)
const PITCH_FULL_ST = 1.5;
const VOICING_SIDE = 4;
const DIP_SIDE = 15; // looks 150 ms each side for the levels a dip is measured against
const DIP_LOCAL = 3;
const DIP_FULL_DB = 12;
const DIP_MIN_DB = 2;
const FLUX_REF_PERCENTILE = 0.97;
const PEAK_HALF_WIDTH = 4;
const W_PITCH = 0.9;
const W_VOICING = 0.5;
const W_DIP = 0.8;
const W_FLUX = 0.5;

export function sungCues(features: VocalFeatures, pitch: PitchInput): SungCues {
  const n = features.energyDb.length;
  const voicing = resampleTrack(pitch.voicing, pitch.hop, features.hopS, n);
  const f0 = resampleTrack(pitch.f0, pitch.hop, features.hopS, n, true);
  const st = new Float32Array(n);
  for (let t = 0; t < n; t++) st[t] = f0[t] > 0 ? 12 * Math.log2(f0[t] / 440) + 69 : NaN;
  const e = smooth(features.energyDb, 1);
  const fluxRef = percentile(features.onset, FLUX_REF_PERCENTILE);
  const boundary = new Float32Array(n);
  const wordBoundary = new Float32Array(n);
  const left: number[] = [];
  const right: number[] = [];
  for (let t = 1; t < n; t++) {
    left.length = 0;
    right.length = 0;
    for (let k = 1; k <= PITCH_SIDE; k++) {
      if (t - k >= 0 && !Number.isNaN(st[t - k])) left.push(st[t - k]);
      if (t + k - 1 < n && !Number.isNaN(st[t + k - 1])) right.push(st[t + k - 1]);
    }
    let pc = 0;
    if (left.length >= PITCH_MIN_SIDE && right.length >= PITCH_MIN_SIDE) {
      const d = Math.abs(median(right) - median(left));
      pc = clamp01((d - VIBRATO_ST) / (PITCH_FULL_ST - VIBRATO_ST));
    }
    let vBefore = 0;
    let vAfter = 0;
    for (let k = 1; k <= VOICING_SIDE; k++) {
      vBefore += t - k >= 0 ? voicing[t - k] : 0;
      vAfter += t + k - 1 < n ? voicing[t + k - 1] : 0;
    }
    const vo = clamp01((vAfter - vBefore) / VOICING_SIDE);
    let dip = 0;
    let isMin = true;
    for (let k = 1; k <= DIP_LOCAL && isMin; k++)
      if ((t - k >= 0 && e[t - k] < e[t]) || (t + k < n && e[t + k] <= e[t])) isMin = false;
    if (isMin) {
      let lmax = -Infinity;
      let rmax = -Infinity;
      for (let k = 1; k <= DIP_SIDE; k++) {
        if (t - k >= 0) lmax = Math.max(lmax, e[t - k]);
        if (t + k < n) rmax = Math.max(rmax, e[t + k]);
      }
      const depth = Math.min(lmax, rmax) - e[t];
      if (depth >= DIP_MIN_DB) dip = clamp01(depth / DIP_FULL_DB);
    }
    const flux = Math.min(1, features.onset[t] / fluxRef / 2);
    wordBoundary[t] = dip;
    boundary[t] = W_PITCH * pc + W_VOICING * vo + W_DIP * dip + W_FLUX * flux;
  }
  // Dips are single frames; spread them over the neighbours so the coarse grid sees them.
  const spreadDip = maxFilter(wordBoundary, 2);
  const b = maxFilter(boundary, 1);
  const peaks = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    let isMax = b[t] > 0.15;
    for (let k = 1; k <= PEAK_HALF_WIDTH && isMax; k++)
      if ((t - k >= 0 && b[t - k] > b[t]) || (t + k < n && b[t + k] >= b[t])) isMax = false;
    if (isMax) peaks[t] = b[t];
  }
  return { hopS: features.hopS, boundary: b, peaks, wordBoundary: spreadDip, voicing };
}

/** A track on another hop → `n` frames of `hop`, nearest frame (f0: 0 stays unvoiced). */
function resampleTrack(
  x: Float32Array,
  fromHop: number,
  hop: number,
  n: number,
  nearest = false,
): Float32Array {
  const out = new Float32Array(n);
  if (x.length === 0) return out;
  for (let t = 0; t < n; t++) {
    const pos = (t * hop) / fromHop;
    const i = Math.min(x.length - 1, Math.round(pos));
    if (nearest || Math.abs(fromHop - hop) < 1e-9) out[t] = x[i];
    else {
      const a = Math.min(x.length - 1, Math.floor(pos));
      const c = Math.min(x.length - 1, a + 1);
      const f = pos - a;
      out[t] = x[a] * (1 - f) + x[c] * f;
    }
  }
  return out;
}

function smooth(x: Float32Array, half: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let t = 0; t < x.length; t++) {
    let s = 0;
    let c = 0;
    for (let k = -half; k <= half; k++) {
      if (t + k >= 0 && t + k < x.length) {
        s += x[t + k];
        c++;
      }
    }
    out[t] = s / c;
  }
  return out;
}

function maxFilter(x: Float32Array, half: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let t = 0; t < x.length; t++) {
    let m = 0;
    for (let k = -half; k <= half; k++) if (t + k >= 0 && t + k < x.length) m = Math.max(m, x[t + k]);
    out[t] = m;
  }
  return out;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function percentile(x: Float32Array, p: number): number {
  if (x.length === 0) return 1;
  const s = Float32Array.from(x).sort();
  return Math.max(1e-3, s[Math.floor(p * (s.length - 1))]);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
