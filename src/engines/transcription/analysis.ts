import { computeVocalFeatures } from '../../audio/lyrics/features.js';
import { sungCues } from '../../audio/lyrics/sung-cues.js';
import { toMono, type PcmAudio } from '../../audio/pcm.js';
import { trackPitch } from '../../audio/pitch/track.js';
import { voiceActivityFromEnergy } from '../../audio/vad.js';
import type { VocalAnalysis, VocalStyle } from './types.js';

/**
 * Features, voice activity and pitch of a vocals stem, computed once. The style decides the
 * aligner: sung vocals hold notes (long stretches of steady pitch), speech glides.
 */
export const HELD_NOTE_S = 0.25;
const HELD_NOTE_ST = 0.5; // steady = within this of the stretch's first frame (vibrato included)
/** Voiced time in held notes above this share: sung. Spoken songs measure 0–0.05, sung 0.4–0.8. */
export const SUNG_HELD_SHARE = 0.2;

export interface AnalyzeOptions {
  /** Force the style instead of detecting it. */
  style?: VocalStyle;
  /** Skip the pitch tracker (then the style is spoken unless forced). */
  pitch?: boolean;
}

export function analyzeVocals(vocals: PcmAudio, opts: AnalyzeOptions = {}): VocalAnalysis {
  const mono = toMono(vocals);
  const features = computeVocalFeatures(mono, vocals.sampleRate);
  const activity = voiceActivityFromEnergy(features.energyDb, features.hopS);
  const duration = mono.length / vocals.sampleRate;
  if (opts.pitch === false || !activity.hasVoice)
    return { features, activity, duration, heldShare: null, style: opts.style ?? 'spoken' };
  // The aligner and its confidence are tuned on the strict voicing profile (unsung = unvoiced).
  const pitch = trackPitch(mono, vocals.sampleRate, { voicing: 'strict' });
  const heldShare = heldNoteShare(pitch.f0, pitch.hop);
  const style = opts.style ?? (heldShare >= SUNG_HELD_SHARE ? 'sung' : 'spoken');
  return { features, activity, duration, cues: sungCues(features, pitch), heldShare, style };
}

/** Share of voiced frames that lie in stretches of steady pitch at least HELD_NOTE_S long. */
export function heldNoteShare(f0: Float32Array, hop: number): number {
  const minLen = Math.max(1, Math.round(HELD_NOTE_S / hop));
  let voiced = 0;
  let held = 0;
  let runStart = -1;
  let ref = 0;
  const close = (end: number) => {
    if (runStart >= 0 && end - runStart >= minLen) held += end - runStart;
    runStart = -1;
  };
  for (let t = 0; t < f0.length; t++) {
    if (f0[t] <= 0) {
      close(t);
      continue;
    }
    voiced++;
    const st = 12 * Math.log2(f0[t]);
    if (runStart < 0 || Math.abs(st - ref) > HELD_NOTE_ST) {
      close(t);
      runStart = t;
      ref = st;
    }
  }
  close(f0.length);
  return voiced > 0 ? held / voiced : 0;
}
