import type { StageHandlers } from '../domain/stage.js';
import { createBeatsStage } from './analyze-beats.js';
import { createSeparationStage } from './separate.js';
import { createTranscriptionStage } from './transcribe.js';

/** The real stage handlers, one per stage name (the map is exhaustive by type). */
export function defaultStageHandlers(): StageHandlers {
  return {
    separation: createSeparationStage(),
    transcription: createTranscriptionStage(),
    beats: createBeatsStage(),
  };
}
