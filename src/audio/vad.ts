/**
 * @file Energy-based voice activity on a vocals stem. A separated vocals stem is quiet where
 * nobody sings (leakage sits far below the voice), so a level relative to the stem's own
 * singing level, with an absolute floor, separates voice from silence and bleed.
 */

import { computeVocalFeatures, FEATURE_SAMPLE_RATE } from './lyrics/features.js';

const REF_PERCENTILE = 0.95; // the level of confident singing
const NOISE_PERCENTILE = 0.2;
const DIGITAL_SILENCE_DB = -110;
/** A stem whose singing level stays below this has no vocals (leakage of an instrumental track). */
export const MIN_VOICE_LEVEL_DB = -50;
const THRESHOLD_BELOW_REF_DB = 24; // voice frames sit within this range of the singing level
const THRESHOLD_ABOVE_NOISE_DB = 6;
const SOFTNESS_DB = 3; // width of the sigmoid from "surely silent" to "surely voiced"
/**
 * Reverb fills the pauses between words at 10–20 dB under the voice. A frame far below the
 * recent peak (held and decaying at a fast room's rate) is a tail, not new singing.
 */
const TAIL_DECAY_DB_PER_S = 30;
const TAIL_MARGIN_DB = 8;
const TAIL_SOFTNESS_DB = 2;
const TAIL_FLOOR = 0.6; // a soft factor: separation artefacts also leave sudden drops
const MIN_SEGMENT_S = 0.06;
const MERGE_GAP_S = 0.25; // pauses shorter than this are breaths inside a phrase

export interface ActivitySegment {
  start: number;
  end: number;
}

export interface VoiceActivity {
  hopS: number;
  /** Probability that frame t (centred at t·hopS) is voiced. */
  prob: Float32Array;
  /** Voiced stretches in seconds, short pauses merged. */
  segments: ActivitySegment[];
  /** Singing level (dBFS) and decision threshold; -Infinity when there is no voice. */
  levelDb: number;
  thresholdDb: number;
  hasVoice: boolean;
}

export interface VadOptions {
  minVoiceLevelDb?: number;
}

export function voiceActivityFromEnergy(
  energyDb: Float32Array,
  hopS: number,
  opts: VadOptions = {},
): VoiceActivity {
  const prob = new Float32Array(energyDb.length);
  const minLevel = opts.minVoiceLevelDb ?? MIN_VOICE_LEVEL_DB;
  const audible = energyDb.filter((e) => e > DIGITAL_SILENCE_DB).sort();
  const none: VoiceActivity = {
    hopS,
    prob,
    segments: [],
    levelDb: -Infinity,
    thresholdDb: Infinity,
    hasVoice: false,
  };
  if (audible.length === 0) return none;
  const levelDb = percentileSorted(audible, REF_PERCENTILE);
  if (levelDb < minLevel) return { ...none, levelDb };
  // Noise is measured over all frames (digital silence included) so a clean stem gets a low floor.
  const all = Float32Array.from(energyDb).sort();
  const noiseDb = percentileSorted(all, NOISE_PERCENTILE);
  const thresholdDb = Math.max(
    levelDb - THRESHOLD_BELOW_REF_DB,
    noiseDb + THRESHOLD_ABOVE_NOISE_DB,
    minLevel - 10,
  );
  const decay = TAIL_DECAY_DB_PER_S * hopS;
  let held = -Infinity;
  for (let t = 0; t < energyDb.length; t++) {
    const e = energyDb[t];
    held = Math.max(e, held - decay);
    const voiced = 1 / (1 + Math.exp(-(e - thresholdDb) / SOFTNESS_DB));
    const direct = 1 / (1 + Math.exp(-(e - (held - TAIL_MARGIN_DB)) / TAIL_SOFTNESS_DB));
    prob[t] = voiced * (TAIL_FLOOR + (1 - TAIL_FLOOR) * direct);
  }
  const segments = segmentsFromProb(prob, hopS);
  return { hopS, prob, segments, levelDb, thresholdDb, hasVoice: segments.length > 0 };
}

/** Voice activity of mono 16 kHz samples. */
export function detectVoiceActivity(mono16k: Float32Array, opts: VadOptions = {}): VoiceActivity {
  const f = computeVocalFeatures(mono16k, FEATURE_SAMPLE_RATE);
  return voiceActivityFromEnergy(f.energyDb, f.hopS, opts);
}

export function segmentsFromProb(
  prob: Float32Array,
  hopS: number,
  minSegmentS = MIN_SEGMENT_S,
): ActivitySegment[] {
  const raw: ActivitySegment[] = [];
  let open = -1;
  for (let t = 0; t <= prob.length; t++) {
    const on = t < prob.length && prob[t] >= 0.5;
    if (on && open < 0) open = t;
    else if (!on && open >= 0) {
      raw.push({ start: open * hopS, end: t * hopS });
      open = -1;
    }
  }
  const merged: ActivitySegment[] = [];
  for (const s of raw) {
    const last = merged[merged.length - 1];
    if (last && s.start - last.end < MERGE_GAP_S) last.end = s.end;
    else merged.push({ ...s });
  }
  return merged.filter((s) => s.end - s.start >= minSegmentS);
}

/** Mean voice probability over [start, end) seconds. */
export function meanActivity(va: VoiceActivity, start: number, end: number): number {
  const a = Math.max(0, Math.floor(start / va.hopS));
  const b = Math.min(va.prob.length, Math.max(a + 1, Math.ceil(end / va.hopS)));
  if (b <= a) return 0;
  let s = 0;
  for (let t = a; t < b; t++) s += va.prob[t];
  return s / (b - a);
}

function percentileSorted(sorted: Float32Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))];
}
