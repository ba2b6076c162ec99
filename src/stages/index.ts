/**
 * @file The real stage handlers, one per stage name (the map is exhaustive by type).
 * Separation and transcription run models for minutes: each runs on its own worker thread so
 * the API, progress events and beat analysis keep the main event loop. Beat analysis is
 * whole-song DSP (a second or more for a long song), so it gets a thread too: nothing an upload
 * triggers may hold the event loop.
 */

import type { Logger } from 'pino';
import type { StageHandlers } from '../domain/stage.js';
import { siblingUrl, StageThread } from '../pipeline/stage-thread.js';

export interface StageSet {
  handlers: StageHandlers;
  close(): Promise<void>;
}

export function defaultStageHandlers(log?: Logger): StageSet {
  const separation = new StageThread(siblingUrl(import.meta.url, 'separate'), 'createSeparationStage', log);
  const transcription = new StageThread(
    siblingUrl(import.meta.url, 'transcribe'),
    'createTranscriptionStage',
    log,
  );
  const beats = new StageThread(siblingUrl(import.meta.url, 'analyze-beats'), 'createBeatsStage', log);
  return {
    handlers: {
      separation: separation.handler(),
      transcription: transcription.handler(),
      beats: beats.handler(),
    },
    close: async () => {
      await Promise.all([separation.close(), transcription.close(), beats.close()]);
    },
  };
}
