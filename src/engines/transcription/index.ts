import type { PcmAudio } from '../../audio/pcm.js';
import { meanActivity } from '../../audio/vad.js';
import { toMono } from '../../audio/pcm.js';
import { resample } from '../../audio/resample.js';
import type { EngineInfo } from '../../domain/stage.js';
import { throwIfAborted, UnavailableError } from '../../errors.js';
import { analyzeVocals } from './analysis.js';
import { matchAnchors } from './anchors.js';
import { recognizeVoiced, transcriptFromRecognition } from './asr.js';
import { guardWords } from './guard.js';
import { alignLyrics } from './lyrics-aligner.js';
import { parseLyrics } from './lyrics-text.js';
import type { Recognizer, RecognizerProvider } from './recognizer.js';
import type { Transcript } from './timeline.js';
import type { VocalAnalysis, VocalStyle } from './types.js';
import { WHISPER_SAMPLE_RATE } from './whisper.js';

/**
 * The transcription engine's one entry point: word-timed lyrics from a vocals stem.
 *  - lyrics given: aligned without any model (the sung or the spoken aligner, by the
 *    detected style); when a recogniser loads, its words that match the lyrics anchor the
 *    alignment ('aligned+asr');
 *  - no lyrics: the recogniser on the voiced parts, then the hallucination guard
 *    ('transcribed'); without a recogniser the result is `unavailable` with the reason.
 */
export interface TranscribeOptions {
  lyrics?: string;
  language?: string;
  /** Recogniser model name (e.g. Whisper size). */
  model: string;
  recognizer: RecognizerProvider;
  /** Beat times (s) from the beats stage: a prior for sung word starts. */
  beats?: readonly number[];
  /** Force the vocal style instead of detecting it. */
  style?: VocalStyle;
  signal?: AbortSignal;
  onProgress?: (percent: number, message: string) => void;
}

export type TranscribeResult =
  | {
      status: 'completed';
      transcript: Transcript;
      analysis: VocalAnalysis;
      engine: EngineInfo;
      warnings: string[];
    }
  | { status: 'unavailable'; reason: string };

export const ALIGNER_ENGINE: EngineInfo = { name: 'lyrics-aligner', version: '2.0.0', quality: 'dsp' };
const NO_VOICE_ENGINE: EngineInfo = { name: 'vocal-activity', version: '1.0.0', quality: 'dsp' };
const FULL_CONFIDENCE_ACTIVITY = 0.8;

export async function transcribe(vocals: PcmAudio, opts: TranscribeOptions): Promise<TranscribeResult> {
  const progress = opts.onProgress ?? (() => {});
  const analysis = analyzeVocals(vocals, { style: opts.style });
  const mono16k = () => resample(toMono(vocals), vocals.sampleRate, WHISPER_SAMPLE_RATE);
  progress(10, 'vocal activity');
  const warnings: string[] = [];
  const lyrics = opts.lyrics?.trim() ? opts.lyrics : undefined;

  if (!analysis.activity.hasVoice) {
    warnings.push('no vocals detected in the vocals stem: the transcription is empty');
    const empty: Transcript = {
      language: opts.language ?? null,
      source: lyrics ? 'aligned' : 'transcribed',
      words: [],
      lines: [],
    };
    return { status: 'completed', transcript: empty, analysis, engine: NO_VOICE_ENGINE, warnings };
  }

  let recognizer: Recognizer | undefined;
  let asrReason: string | undefined;
  try {
    recognizer = await opts.recognizer.get(opts.model);
  } catch (err) {
    if (!(err instanceof UnavailableError)) throw err;
    asrReason = err.message;
  }
  throwIfAborted(opts.signal);

  if (!lyrics) {
    if (!recognizer)
      return {
        status: 'unavailable',
        reason: `${asrReason ?? 'no speech recogniser'}; give the lyrics to align them without a model`,
      };
    const rec = await recognizeVoiced(recognizer, mono16k(), analysis, {
      language: opts.language,
      signal: opts.signal,
      onProgress: (f) => progress(10 + 80 * f, 'recognising'),
    });
    if (!opts.language) warnings.push(`language not given: transcribed as "${rec.language ?? 'en'}"`);
    const guarded = guardWords(rec.words, analysis);
    if (guarded.droppedSilent > 0)
      warnings.push(`hallucination guard: dropped ${guarded.droppedSilent} word(s) with no vocal energy`);
    if (guarded.droppedLoop > 0)
      warnings.push(`hallucination guard: collapsed a repeated-phrase loop (${guarded.droppedLoop} word(s))`);
    const words = guarded.words.map((w) => ({
      ...w,
      confidence:
        (w.confidence ?? 1) *
        Math.min(1, meanActivity(analysis.activity, w.start, w.end) / FULL_CONFIDENCE_ACTIVITY),
    }));
    const transcript = transcriptFromRecognition(words, rec.language);
    return { status: 'completed', transcript, analysis, engine: recognizer.info, warnings };
  }

  let anchors: (number | undefined)[] | undefined;
  if (recognizer) {
    const rec = await recognizeVoiced(recognizer, mono16k(), analysis, {
      language: opts.language,
      signal: opts.signal,
      onProgress: (f) => progress(10 + 50 * f, 'recognising'),
    });
    anchors = matchAnchors(parseLyrics(lyrics).tokens, guardWords(rec.words, analysis).words);
  } else {
    warnings.push(`Whisper unavailable (${asrReason}); lyrics aligned without speech recognition`);
  }
  progress(60, 'aligning lyrics');
  const transcript = alignLyrics(analysis, lyrics, {
    anchors,
    beats: opts.beats,
    language: opts.language ?? null,
    signal: opts.signal,
    onProgress: (f) => progress(60 + 35 * f, 'aligning lyrics'),
  });
  const unplaced = transcript.words.filter((w) => w.flags.includes('unplaced')).length;
  if (unplaced > 0)
    warnings.push(`${unplaced} lyric word(s) could not be found in the vocals and are flagged "unplaced"`);
  const lowLines = transcript.lines.filter((l) => l.lowConfidence).length;
  if (lowLines > 0)
    warnings.push(
      `${lowLines} lyric line(s) could not be placed with confidence and are flagged "low_confidence"`,
    );
  const engine: EngineInfo = recognizer
    ? {
        name: `${ALIGNER_ENGINE.name}+${recognizer.info.name}`,
        version: ALIGNER_ENGINE.version,
        quality: 'model',
      }
    : ALIGNER_ENGINE;
  return { status: 'completed', transcript, analysis, engine, warnings };
}
