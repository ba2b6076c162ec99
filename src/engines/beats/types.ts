import type { ConfidenceTerms } from '../../audio/beats/confidence.js';
import type { TempoPoint } from '../../audio/beats/tempo-curve.js';

/** One point of the local tempo curve: a beat time (s) and the local tempo around it (unit of `tempoBpm`). */
export type { TempoPoint };

/** What the beat-analysis engine reports. Times are seconds from the first sample. */
export interface TempoCandidate {
  bpm: number;
  /** 0..1, relative salience of this metrical level (the chosen beat level is listed first). */
  score: number;
}

export interface BeatAnalysis {
  /** Beats per minute of the beat (in compound meters the dotted quarter); 0 when no pulse. */
  tempoBpm: number;
  tempoCandidates: TempoCandidate[];
  /** Local tempo over the song, one point per bar (or per 4 beats when the meter is unknown). */
  tempoCurve: TempoPoint[];
  /** The local tempo stays within ±2 % of its median (no ramp, step or large drift). */
  tempoSteady: boolean;
  /** "4/4", "3/4", "2/4", "6/8", "9/8", "12/8", or "unknown" when there are too few beats. */
  timeSignature: string;
  beatsPerBar: number;
  /** The beat divides in three (6/8, 9/8, 12/8). */
  compound: boolean;
  beats: Float64Array;
  /** 1..beatsPerBar for every beat. */
  beatPositions: Int32Array;
  downbeats: Float64Array;
  onsets: Float64Array;
  tempoConfidence: number;
  beatConfidence: number;
  meterConfidence: number;
  /** 0..1: steadiness of the inter-beat intervals times the periodicity of the onsets. */
  rhythmRegularity: number;
  /** What `beatConfidence` is made from (absent when no beats were tracked). */
  confidenceTerms?: ConfidenceTerms;
  duration: number;
}

export interface AnalyzeOptions {
  /** Cancellation check, called between phases. */
  checkAbort?: () => void;
}
