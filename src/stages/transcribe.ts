import fs from 'node:fs/promises';
import path from 'node:path';
import { meanActivity } from '../audio/vad.js';
import { toMono, type PcmAudio } from '../audio/pcm.js';
import { resample } from '../audio/resample.js';
import { decodeWav } from '../audio/wav.js';
import type { EngineInfo, StageContext, StageHandler, StageOutcome } from '../domain/stage.js';
import { InputError, throwIfAborted, UnavailableError } from '../errors.js';
import { matchAnchors } from '../engines/transcription/anchors.js';
import { recognizeVoiced, transcriptFromRecognition } from '../engines/transcription/asr.js';
import { guardWords } from '../engines/transcription/guard.js';
import { alignLyrics, analyzeVocals, type VocalAnalysis } from '../engines/transcription/lyrics-aligner.js';
import { parseLyrics } from '../engines/transcription/lyrics-text.js';
import { applyQaFlags, timingQa } from '../engines/transcription/qa.js';
import type { Recognizer, RecognizerProvider } from '../engines/transcription/recognizer.js';
import type { Transcript } from '../engines/transcription/timeline.js';
import { renderTranscriptionJson } from '../engines/transcription/transcript-json.js';
import { createWhisperProvider, WHISPER_SAMPLE_RATE } from '../engines/transcription/whisper.js';
import { renderAss } from '../exports/ass.js';
import { renderEnhancedLrc, renderLrc } from '../exports/lrc.js';
import { renderSrt } from '../exports/srt.js';
import { renderVtt } from '../exports/vtt.js';
import { readBeatGrid, writeSingerFiles } from './singer-files.js';

/**
 * The transcription stage: word-timed lyrics from the vocals stem.
 *  - lyrics given: aligned without any model; when Whisper loads, its recognised words
 *    that match the lyrics anchor the alignment ('aligned+asr');
 *  - no lyrics: Whisper on the voiced parts, then the hallucination guard ('transcribed');
 *    without Whisper the stage is `unavailable` with the reason.
 * Writes transcription/transcription.json and lyrics.{lrc,elrc,srt,vtt,ass}, and the sung
 * notes (notes.json, vocals.mid, ultrastar.txt: see singer-files.ts).
 */
export interface TranscriptionStageDeps {
  /** Speech recogniser source; defaults to Whisper via @huggingface/transformers, created per stage factory. */
  recognizer?: RecognizerProvider;
}

const ALIGNER_ENGINE: EngineInfo = { name: 'lyrics-aligner', version: '1.0.0', quality: 'dsp' };
const NO_VOICE_ENGINE: EngineInfo = { name: 'vocal-activity', version: '1.0.0', quality: 'dsp' };
const FULL_CONFIDENCE_ACTIVITY = 0.8;

const OUTPUT_FILES = {
  transcription: 'transcription.json',
  lrc: 'lyrics.lrc',
  elrc: 'lyrics.elrc',
  srt: 'lyrics.srt',
  vtt: 'lyrics.vtt',
  ass: 'lyrics.ass',
} as const;

export function createTranscriptionStage(deps: TranscriptionStageDeps = {}): StageHandler {
  let provider = deps.recognizer;
  return async (ctx: StageContext): Promise<StageOutcome> => {
    provider ??= createWhisperProvider(ctx.config, ctx.log);
    const vocals = await readVocals(ctx);
    throwIfAborted(ctx.signal);
    const analysis = analyzeVocals(vocals);
    // Only the recogniser needs 16 kHz; the aligner works on the stem's own rate.
    const mono16k = () => resample(toMono(vocals), vocals.sampleRate, WHISPER_SAMPLE_RATE);
    ctx.progress(10, 'vocal activity');
    const warnings: string[] = [];
    const lyrics = ctx.options.lyrics?.trim() ? ctx.options.lyrics : undefined;
    const model = ctx.options.whisperModel ?? ctx.config.whisperModel;

    if (!analysis.activity.hasVoice) {
      warnings.push('no vocals detected in the vocals stem: the transcription is empty');
      const empty: Transcript = {
        language: ctx.options.language ?? null,
        source: lyrics ? 'aligned' : 'transcribed',
        words: [],
        lines: [],
      };
      return finish(ctx, empty, analysis, NO_VOICE_ENGINE, warnings, vocals);
    }

    let recognizer: Recognizer | undefined;
    let asrReason: string | undefined;
    try {
      recognizer = await provider.get(model);
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      asrReason = err.message;
    }
    throwIfAborted(ctx.signal);

    if (!lyrics) {
      if (!recognizer)
        return {
          status: 'unavailable',
          outputs: {},
          reason: `${asrReason ?? 'no speech recogniser'}; give the lyrics to align them without a model`,
        };
      const rec = await recognizeVoiced(recognizer, mono16k(), analysis, {
        language: ctx.options.language,
        signal: ctx.signal,
        onProgress: (f) => ctx.progress(10 + 80 * f, 'recognising'),
      });
      if (!ctx.options.language)
        warnings.push(`language not given: transcribed as "${rec.language ?? 'en'}"`);
      const guarded = guardWords(rec.words, analysis);
      reportGuard(guarded, warnings);
      const words = guarded.words.map((w) => ({
        ...w,
        confidence:
          (w.confidence ?? 1) *
          Math.min(1, meanActivity(analysis.activity, w.start, w.end) / FULL_CONFIDENCE_ACTIVITY),
      }));
      return finish(
        ctx,
        transcriptFromRecognition(words, rec.language),
        analysis,
        recognizer.info,
        warnings,
        vocals,
      );
    }

    let anchors: (number | undefined)[] | undefined;
    if (recognizer) {
      const rec = await recognizeVoiced(recognizer, mono16k(), analysis, {
        language: ctx.options.language,
        signal: ctx.signal,
        onProgress: (f) => ctx.progress(10 + 50 * f, 'recognising'),
      });
      anchors = matchAnchors(parseLyrics(lyrics).tokens, guardWords(rec.words, analysis).words);
    } else {
      warnings.push(`Whisper unavailable (${asrReason}); lyrics aligned without speech recognition`);
    }
    ctx.progress(60, 'aligning lyrics');
    const transcript = alignLyrics(analysis, lyrics, {
      anchors,
      language: ctx.options.language ?? null,
      signal: ctx.signal,
      onProgress: (f) => ctx.progress(60 + 35 * f, 'aligning lyrics'),
    });
    const unplaced = transcript.words.filter((w) => w.flags.includes('unplaced')).length;
    if (unplaced > 0)
      warnings.push(`${unplaced} lyric word(s) could not be found in the vocals and are flagged "unplaced"`);
    const engine: EngineInfo = recognizer
      ? {
          name: `${ALIGNER_ENGINE.name}+${recognizer.info.name}`,
          version: ALIGNER_ENGINE.version,
          quality: 'model',
        }
      : ALIGNER_ENGINE;
    return finish(ctx, transcript, analysis, engine, warnings, vocals);
  };
}

async function readVocals(ctx: StageContext) {
  const file = ctx.paths.stem('vocals');
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    throw new InputError(
      'NO_VOCALS',
      'the vocals stem is missing: the transcription stage needs the separation stage first',
    );
  }
  return decodeWav(buf);
}

function reportGuard(g: ReturnType<typeof guardWords>, warnings: string[]): void {
  if (g.droppedSilent > 0)
    warnings.push(`hallucination guard: dropped ${g.droppedSilent} word(s) with no vocal energy`);
  if (g.droppedLoop > 0)
    warnings.push(`hallucination guard: collapsed a repeated-phrase loop (${g.droppedLoop} word(s))`);
}

async function finish(
  ctx: StageContext,
  t: Transcript,
  analysis: VocalAnalysis,
  engine: EngineInfo,
  warnings: string[],
  vocals: PcmAudio,
): Promise<StageOutcome> {
  applyQaFlags(t, analysis);
  const qa = timingQa(t, analysis);
  const dir = ctx.paths.stageDir('transcription');
  await fs.mkdir(dir, { recursive: true });
  const title = path.basename(ctx.paths.dir);
  const grid = await readBeatGrid(ctx);
  const texts: Record<keyof typeof OUTPUT_FILES, string> = {
    transcription: renderTranscriptionJson(t, analysis),
    lrc: renderLrc(t, { lengthS: analysis.duration }),
    elrc: renderEnhancedLrc(t, { lengthS: analysis.duration }),
    srt: renderSrt(t),
    vtt: renderVtt(t),
    ass: renderAss(t, { title, grid }),
  };
  const outputs: Record<string, string> = {};
  for (const key of Object.keys(OUTPUT_FILES) as (keyof typeof OUTPUT_FILES)[]) {
    throwIfAborted(ctx.signal);
    const file = ctx.paths.transcription(OUTPUT_FILES[key]);
    const tmp = `${file}.tmp-${process.pid}`;
    await fs.writeFile(tmp, texts[key]);
    await fs.rename(tmp, file);
    outputs[key] = ctx.paths.rel(file);
  }
  ctx.progress(96, 'sung notes');
  const singer = await writeSingerFiles(ctx, t, vocals, grid);
  Object.assign(outputs, singer.outputs);
  ctx.progress(100);
  return {
    status: 'completed',
    engine,
    outputs,
    summary: {
      transcription_engine: engine.name,
      language: t.language,
      word_count: t.words.length,
      lyrics_source: t.source,
      timing_score: qa.score,
      note_count: singer.noteCount,
    },
    warnings,
  };
}
