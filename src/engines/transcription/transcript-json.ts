import type { VocalAnalysis } from './types.js';
import { applyQaFlags, timingQa, type TimingQa } from './qa.js';
import { transcriptText, type Transcript } from './timeline.js';

export const TRANSCRIPT_SCHEMA_VERSION = 1;

export interface TranscriptJson {
  version: number;
  language: string | null;
  source: Transcript['source'];
  text: string;
  segments: {
    id: number;
    text: string;
    start: number;
    end: number;
    low_confidence: boolean;
    words: Transcript['words'];
  }[];
  words: Transcript['words'];
  qa: TimingQa;
}

/** transcription/transcription.json: the canonical timeline plus its timing QA (flags added to the words). */
export function transcriptionDocument(t: Transcript, analysis: VocalAnalysis | undefined): TranscriptJson {
  applyQaFlags(t, analysis);
  return {
    version: TRANSCRIPT_SCHEMA_VERSION,
    language: t.language,
    source: t.source,
    text: transcriptText(t),
    segments: t.lines.map((l, id) => ({
      id,
      text: l.text,
      start: l.start,
      end: l.end,
      low_confidence: l.lowConfidence === true,
      words: t.words.slice(l.firstWord, l.firstWord + l.wordCount),
    })),
    words: t.words,
    qa: timingQa(t, analysis),
  };
}

export function renderTranscriptionJson(t: Transcript, analysis: VocalAnalysis | undefined): string {
  return `${JSON.stringify(transcriptionDocument(t, analysis), null, 2)}\n`;
}
