import type { VocalFeatures } from '../../audio/lyrics/features.js';
import type { VoiceActivity } from '../../audio/vad.js';

/**
 * The aligner's frame scores on its coarse grid: voice-activity log-odds (clipped, so one
 * frame cannot outweigh a word), and onset/offset strengths normalised by the song's own
 * strong voiced onsets (so loud and quiet stems score alike).
 */
const LOG_ODDS_CLIP = 3;
const ONSET_NORM_CLIP = 2;
const ONSET_REF_PERCENTILE = 0.97;

/** Share of the `span` frames before each frame that are unvoiced (0–1). */
export function pauseBefore(act: Float32Array, span: number): Float32Array {
  const out = new Float32Array(act.length);
  let silent = span; // before the song starts counts as silence
  const unvoiced = (t: number) => (t < 0 || act[t] < 0 ? 1 : 0);
  for (let t = 0; t < act.length; t++) {
    out[t] = silent / span;
    silent += unvoiced(t) - unvoiced(t - span);
  }
  return out;
}

export interface CoarseFrames {
  act: Float32Array;
  on: Float32Array;
  off: Float32Array;
}

export function coarseFrames(
  features: VocalFeatures,
  activity: VoiceActivity,
  decimate: number,
): CoarseFrames {
  const n = Math.ceil(activity.prob.length / decimate);
  const act = new Float32Array(n);
  const on = new Float32Array(n);
  const off = new Float32Array(n);
  const onRef = voicedPercentile(features.onset, activity.prob, ONSET_REF_PERCENTILE);
  const offRef = voicedPercentile(features.offset, activity.prob, ONSET_REF_PERCENTILE);
  for (let c = 0; c < n; c++) {
    let a = 0;
    let cnt = 0;
    let o = 0;
    let f = 0;
    for (let t = c * decimate; t < Math.min(activity.prob.length, (c + 1) * decimate); t++) {
      const p = Math.min(1 - 1e-6, Math.max(1e-6, activity.prob[t]));
      a += Math.max(-LOG_ODDS_CLIP, Math.min(LOG_ODDS_CLIP, Math.log(p / (1 - p))));
      cnt++;
      o = Math.max(o, features.onset[t]);
      f = Math.max(f, features.offset[t]);
    }
    act[c] = cnt > 0 ? a / cnt : -LOG_ODDS_CLIP;
    on[c] = Math.min(ONSET_NORM_CLIP, o / onRef);
    off[c] = Math.min(ONSET_NORM_CLIP, f / offRef);
  }
  return { act, on, off };
}

function voicedPercentile(x: Float32Array, prob: Float32Array, p: number): number {
  const v: number[] = [];
  for (let t = 0; t < x.length; t++) if (prob[t] > 0.5) v.push(x[t]);
  if (v.length === 0) return 1;
  v.sort((a, b) => a - b);
  return Math.max(1e-3, v[Math.floor(p * (v.length - 1))]);
}
