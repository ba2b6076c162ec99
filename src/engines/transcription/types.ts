import type { VocalFeatures } from '../../audio/lyrics/features.js';
import type { SungCues } from '../../audio/lyrics/sung-cues.js';
import type { VoiceActivity } from '../../audio/vad.js';

/** How the vocals are delivered: the aligner models each differently. */
export type VocalStyle = 'sung' | 'spoken';

/**
 * Everything the transcription engines know about a vocals stem, computed once and shared
 * by the aligners, the hallucination guard and the timing QA.
 */
export interface VocalAnalysis {
  features: VocalFeatures;
  activity: VoiceActivity;
  duration: number;
  /** Syllable-boundary cues from pitch, voicing and energy (present when pitch was tracked). */
  cues?: SungCues;
  /** Share of voiced time in held notes (steady pitch ≥ HELD_NOTE_S), 0–1; null without pitch. */
  heldShare: number | null;
  style: VocalStyle;
}
