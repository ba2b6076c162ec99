import { decimate } from './decimate.js';
import { yinFrames } from './yin.js';

/**
 * A pYIN-style f0 tracker (Mauch & Dixon 2014, simplified): YIN's CMNDF per frame, pitch
 * candidates weighted by a beta prior over YIN thresholds (so each candidate carries a
 * probability and their sum is the frame's voicing probability), then a Viterbi path over
 * candidates plus an unvoiced state that penalises pitch jumps and voicing switches.
 *
 * Pure DSP: typed arrays in and out. f0 is 0 where the smoothed path is unvoiced; `voicing`
 * is the per-frame probability of voicing before smoothing (so a consumer can pick its own
 * threshold), damped for frames far below the track's loud level.
 */
export interface PitchTrack {
  /** Seconds between frames; frame i is centred at i·hop. */
  hop: number;
  /** Hz; 0 = unvoiced. */
  f0: Float32Array;
  /** 0..1. */
  voicing: Float32Array;
}

export interface PitchOptions {
  /** Frame hop in seconds (default 0.01). */
  hop?: number;
  /** Lowest f0 searched, Hz (default 60). */
  fmin?: number;
  /** Highest f0 searched, Hz (default 1100). */
  fmax?: number;
  /**
   * How readily a frame is called voiced (default 'lenient'). 'lenient' suits reverberant and
   * separated voices, where short syllables have shallow dips (the sung notes are tuned on it);
   * 'strict' is pYIN's usual prior and keeps unsung stretches unvoiced (the sung aligner and its
   * confidence are tuned on it); 'notes' lets even a 30 ms voiced syllable through (the sung
   * notes, src/audio/pitch/notes.ts, are tuned on it). See VOICING.
   */
  voicing?: keyof typeof VOICING;
}

/**
 * The voicing profiles: the threshold prior Beta(2, betaB) on thresholds 0.01 … 1.00 (pYIN's
 * priors have means 0.1–0.2), the voiced/unvoiced switch probability per hop, and the voicing at
 * which voiced and unvoiced emit equally.
 */
const VOICING = {
  strict: { betaB: 18, switchProb: 0.01, voicedAt: 0.5 },
  lenient: { betaB: 8, switchProb: 0.1, voicedAt: 0.3 },
  /** The sung notes': every voiced frame counts, even a short syllable's few (switching costs nothing). */
  notes: { betaB: 8, switchProb: 0.5, voicedAt: 0.3 },
} as const;

/** Inputs are decimated by an integer factor to the first rate at or above this. */
const MIN_ANALYSIS_RATE = 10000;
/** YIN window: at least MIN, grown up to MAX while the FFT size (window + largest lag) allows. */
const MIN_WINDOW_SECONDS = 0.025;
const MAX_WINDOW_SECONDS = 0.032;
const DEFAULT_HOP = 0.01;
const DEFAULT_FMIN = 60;
const DEFAULT_FMAX = 1100;
/** Thresholds of the prior (0.01 … 1.00) and its Beta(BETA_A, ·) shape (see VOICING). */
const THRESHOLDS = 100;
const BETA_A = 2;
/** Probability kept for the global minimum when no dip is under the threshold (pYIN's p_a). */
const ABSOLUTE_MIN_WEIGHT = 0.01;
const MAX_CANDIDATES = 6;
/** Viterbi costs, in nats per 10 ms of hop. */
const JUMP_COST_PER_SEMITONE = 0.7;
const FREE_JUMP_SEMITONES = 0.5;
/** Frames this far below the loud level (the 95th percentile power) fade out of voicing. */
const QUIET_DB = 45;
const QUIET_RAMP_DB = 10;
const LOG_FLOOR = 1e-6;

export function trackPitch(mono: Float32Array, sampleRate: number, opts: PitchOptions = {}): PitchTrack {
  const hop = opts.hop ?? DEFAULT_HOP;
  const fmin = opts.fmin ?? DEFAULT_FMIN;
  const fmax = opts.fmax ?? DEFAULT_FMAX;
  const profile = VOICING[opts.voicing ?? 'lenient'];
  if (!(sampleRate > 0)) throw new RangeError('sampleRate must be positive');
  if (!(hop > 0) || !(fmin > 0) || !(fmax > fmin)) throw new RangeError('bad pitch options');
  const frames = Math.max(0, Math.ceil(mono.length / sampleRate / hop));
  const f0 = new Float32Array(frames);
  const voicing = new Float32Array(frames);
  if (frames === 0) return { hop, f0, voicing };

  const factor = Math.max(1, Math.floor(sampleRate / MIN_ANALYSIS_RATE));
  const rate = sampleRate / factor;
  const x = decimate(mono, factor);
  const minLag = Math.max(2, Math.floor(rate / fmax));
  const maxLag = Math.max(minLag + 2, Math.ceil(rate / fmin));
  const window = yinWindow(rate, maxLag);
  const cdf = thresholdCdf(profile.betaB);

  // Candidates per frame: semitone (fractional MIDI), Hz, probability.
  const candMidi = new Float32Array(frames * MAX_CANDIDATES);
  const candHz = new Float32Array(frames * MAX_CANDIDATES);
  const candP = new Float32Array(frames * MAX_CANDIDATES);
  const candN = new Uint8Array(frames);
  const power = new Float32Array(frames);
  const dips: number[] = [];
  const dipMass: number[] = [];

  yinFrames(x, window, hop * rate, maxLag, frames, (f, d, pw) => {
    power[f] = pw;
    dips.length = 0;
    for (let t = minLag; t < maxLag; t++) {
      if (d[t] < d[t - 1] && d[t] <= d[t + 1] && d[t] < 1) dips.push(t);
    }
    if (dips.length === 0) return;
    dipMass.length = dips.length;
    dipMass.fill(0);
    // Dip i is YIN's pick for every threshold in (d_i, min of the earlier dips]; below every
    // dip the global minimum is picked with a small weight.
    let globalIdx = 0;
    let earlierMin = Infinity;
    for (let i = 0; i < dips.length; i++) {
      const v = d[dips[i]];
      dipMass[i] = Math.max(0, priorCdf(cdf, earlierMin) - priorCdf(cdf, v));
      if (v < earlierMin) {
        earlierMin = v;
        globalIdx = i;
      }
    }
    dipMass[globalIdx] += ABSOLUTE_MIN_WEIGHT * priorCdf(cdf, earlierMin);
    // Keep the most probable dips.
    const order = dips.map((_, i) => i).filter((i) => dipMass[i] > 0);
    order.sort((p, q) => dipMass[q] - dipMass[p]);
    const n = Math.min(MAX_CANDIDATES, order.length);
    for (let k = 0; k < n; k++) {
      const t = dips[order[k]];
      const lag = refineLag(d, t, maxLag);
      const hz = rate / lag;
      const slot = f * MAX_CANDIDATES + k;
      candHz[slot] = hz;
      candMidi[slot] = hzToMidi(hz);
      candP[slot] = dipMass[order[k]];
    }
    candN[f] = n;
  });

  // Quiet frames (breath, bleed, reverb tails) lose their voicing.
  const loud = percentile(power, 0.95);
  for (let f = 0; f < frames; f++) {
    let mass = 0;
    for (let k = 0; k < candN[f]; k++) mass += candP[f * MAX_CANDIDATES + k];
    const db = 10 * Math.log10((power[f] + 1e-20) / (loud + 1e-20));
    const gate = clamp01((db + QUIET_DB + QUIET_RAMP_DB) / QUIET_RAMP_DB);
    const scale = gate * (mass > 1 ? 1 / mass : 1);
    for (let k = 0; k < candN[f]; k++) candP[f * MAX_CANDIDATES + k] *= scale;
    voicing[f] = clamp01(mass * scale);
  }

  const path = viterbi(frames, candN, candMidi, candP, voicing, hop / DEFAULT_HOP, profile);
  for (let f = 0; f < frames; f++) {
    const k = path[f];
    f0[f] = k >= 0 ? candHz[f * MAX_CANDIDATES + k] : 0;
  }
  return { hop, f0, voicing };
}

/**
 * Best state per frame: a candidate index, or -1 for unvoiced. States per frame are at most
 * MAX_CANDIDATES + 1, so this is O(frames · 49).
 */
function viterbi(
  frames: number,
  candN: Uint8Array,
  candMidi: Float32Array,
  candP: Float32Array,
  voicing: Float32Array,
  hopScale: number,
  profile: { switchProb: number; voicedAt: number },
): Int8Array {
  const S = MAX_CANDIDATES + 1; // slot MAX_CANDIDATES = unvoiced
  const U = MAX_CANDIDATES;
  const back = new Int8Array(frames * S);
  let prev = new Float64Array(S).fill(-Infinity);
  let cur = new Float64Array(S);
  const stay = Math.log(1 - profile.switchProb);
  const change = Math.log(profile.switchProb);
  const jumpCost = JUMP_COST_PER_SEMITONE / hopScale;
  // Voiced vs unvoiced is decided by the frame's total voicing, shifted by the profile's bias.
  const voicedBias = Math.log((1 - profile.voicedAt) / profile.voicedAt);
  for (let f = 0; f < frames; f++) {
    cur.fill(-Infinity);
    const pn = f === 0 ? 0 : candN[f - 1];
    const pbase = (f - 1) * MAX_CANDIDATES;
    // Voiced candidates: from a previous candidate (jump cost) or from unvoiced (switch).
    for (let s = 0; s < candN[f]; s++) {
      const slot = f * MAX_CANDIDATES + s;
      let best = f === 0 ? 0 : prev[U] + change;
      let arg = U;
      for (let r = 0; r < pn; r++) {
        const jump = Math.abs(candMidi[slot] - candMidi[pbase + r]);
        const v = prev[r] + stay - jumpCost * Math.max(0, jump - FREE_JUMP_SEMITONES);
        if (v > best) {
          best = v;
          arg = r;
        }
      }
      // Voiced vs unvoiced is decided by the frame's total voicing; the candidate by its share.
      const share = candP[slot] / Math.max(LOG_FLOOR, voicing[f]);
      cur[s] =
        best + voicedBias + Math.log(Math.max(LOG_FLOOR, voicing[f])) + Math.log(Math.max(LOG_FLOOR, share));
      back[f * S + s] = arg;
    }
    let best = f === 0 ? 0 : prev[U] + stay;
    let arg = U;
    for (let r = 0; r < pn; r++) {
      if (prev[r] + change > best) {
        best = prev[r] + change;
        arg = r;
      }
    }
    cur[U] = best + Math.log(Math.max(LOG_FLOOR, 1 - voicing[f]));
    back[f * S + U] = arg;
    [prev, cur] = [cur, prev];
  }
  const path = new Int8Array(frames);
  let state = U;
  let best = prev[U];
  for (let s = 0; s < MAX_CANDIDATES; s++) {
    if (prev[s] > best) {
      best = prev[s];
      state = s;
    }
  }
  for (let f = frames - 1; f >= 0; f--) {
    path[f] = state === U ? -1 : state;
    state = back[f * S + state];
  }
  return path;
}

function yinWindow(rate: number, maxLag: number): number {
  const min = Math.round(MIN_WINDOW_SECONDS * rate);
  let n = 1;
  while (n < min + maxLag) n <<= 1;
  return Math.min(n - maxLag, Math.round(MAX_WINDOW_SECONDS * rate));
}

/** Parabolic interpolation of a CMNDF dip, for sub-sample lag. */
function refineLag(d: Float32Array, t: number, maxLag: number): number {
  if (t <= 0 || t >= maxLag) return t;
  const a = d[t - 1];
  const b = d[t];
  const c = d[t + 1];
  const den = a - 2 * b + c;
  if (den <= 0) return t;
  const shift = (0.5 * (a - c)) / den;
  return t + Math.max(-0.5, Math.min(0.5, shift));
}

/** cdf[k] = Beta(BETA_A, betaB) prior mass of the thresholds 1/T … k/T (T = THRESHOLDS). */
function thresholdCdf(betaB: number): Float64Array {
  const cdf = new Float64Array(THRESHOLDS + 1);
  for (let s = 0; s < THRESHOLDS; s++) {
    const x = (s + 0.5) / THRESHOLDS;
    cdf[s + 1] = cdf[s] + Math.pow(x, BETA_A - 1) * Math.pow(1 - x, betaB - 1);
  }
  const total = cdf[THRESHOLDS];
  for (let s = 0; s <= THRESHOLDS; s++) cdf[s] /= total;
  return cdf;
}

/** Prior mass of the thresholds at or below v. */
function priorCdf(cdf: Float64Array, v: number): number {
  return cdf[Math.max(0, Math.min(THRESHOLDS, Math.floor(v * THRESHOLDS)))];
}

export function hzToMidi(hz: number): number {
  return 69 + 12 * Math.log2(hz / 440);
}

export function midiToHz(midi: number): number {
  return 440 * Math.pow(2, (midi - 69) / 12);
}

function percentile(values: Float32Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
