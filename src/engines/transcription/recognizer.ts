import type { EngineInfo } from '../../domain/stage.js';

/**
 * The seam between the transcription stage and a speech recogniser. The real one is
 * Whisper through @huggingface/transformers (whisper.ts); tests inject a fake here.
 */
export interface RecognizedWord {
  word: string;
  /** Seconds from the start of the audio given to recognize(). */
  start: number;
  end: number;
  confidence?: number;
}

export interface Recognition {
  /** ISO 639-1 code, or null when the engine could not tell. */
  language: string | null;
  words: RecognizedWord[];
}

export interface RecognizeOptions {
  /** ISO 639-1 code or Whisper language name; undefined = detect. */
  language?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface Recognizer {
  readonly info: EngineInfo;
  /** Recognises mono 16 kHz audio (at most one chunk of WHISPER_CHUNK_S; the caller chunks). */
  recognize(audio16k: Float32Array, opts: RecognizeOptions): Promise<Recognition>;
}

/**
 * Gives the recogniser for a model name ('base', 'large-v3-turbo', 'org/name'), loading it
 * on first use. Throws UnavailableError when the model cannot be had (offline, not cached,
 * download failed).
 */
export interface RecognizerProvider {
  get(model: string): Promise<Recognizer>;
}
