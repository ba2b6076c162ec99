import fs from 'node:fs/promises';
import path from 'node:path';
import type { PcmAudio } from '../audio/pcm.js';
import { decodeWav } from '../audio/wav.js';
import type { EngineInfo, StageContext, StageHandler, StageOutcome } from '../domain/stage.js';
import { InputError, throwIfAborted } from '../errors.js';
import { transcribe } from '../engines/transcription/index.js';
import { applyQaFlags, timingQa } from '../engines/transcription/qa.js';
import type { RecognizerProvider } from '../engines/transcription/recognizer.js';
import type { Transcript } from '../engines/transcription/timeline.js';
import { renderTranscriptionJson } from '../engines/transcription/transcript-json.js';
import type { VocalAnalysis } from '../engines/transcription/types.js';
import { createWhisperProvider } from '../engines/transcription/whisper.js';
import { renderAss } from '../exports/ass.js';
import { renderEnhancedLrc, renderLrc } from '../exports/lrc.js';
import { renderSrt } from '../exports/srt.js';
import { renderVtt } from '../exports/vtt.js';
import { readBeatGrid, writeSingerFiles, type SongGrid } from './singer-files.js';
import { readableStem } from '../storage/stems.js';

/**
 * The transcription stage, thin glue: load the vocals (the stem, or the upload itself with
 * `input: vocals`) and the beats when they ran, `transcribe` (src/engines/transcription), write.
 * Writes transcription/transcription.json and lyrics.{lrc,elrc,srt,vtt,ass}, and the sung
 * notes (notes.json, vocals.mid, ultrastar.txt: see singer-files.ts).
 */
export interface TranscriptionStageDeps {
  /** Speech recogniser source; defaults to Whisper via @huggingface/transformers, created per stage factory. */
  recognizer?: RecognizerProvider;
}

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
    // The beats stage's grid, when it ran: a prior for word starts and the singer files' grid.
    const grid = await readBeatGrid(ctx);
    throwIfAborted(ctx.signal);
    const r = await transcribe(vocals, {
      lyrics: ctx.options.lyrics,
      language: ctx.options.language,
      model: ctx.options.whisperModel ?? ctx.config.whisperModel,
      recognizer: provider,
      beats: grid?.beats,
      signal: ctx.signal,
      onProgress: (p, m) => ctx.progress(p, m),
    });
    if (r.status === 'unavailable') return { status: 'unavailable', outputs: {}, reason: r.reason };
    return finish(ctx, r.transcript, r.analysis, r.engine, r.warnings, vocals, grid);
  };
}

/** The vocals stem, or with `input: vocals` the upload itself (it is the vocals). */
async function readVocals(ctx: StageContext): Promise<PcmAudio> {
  if (ctx.options.input === 'vocals') return ctx.loadMix();
  const file = await readableStem(ctx.paths, 'vocals');
  let buf: Buffer;
  try {
    if (!file) throw new Error('no vocals stem');
    buf = await fs.readFile(file);
  } catch {
    throw new InputError(
      'NO_VOCALS',
      'the vocals stem is missing: the transcription stage needs the separation stage first',
    );
  }
  return decodeWav(buf);
}

async function finish(
  ctx: StageContext,
  t: Transcript,
  analysis: VocalAnalysis,
  engine: EngineInfo,
  warnings: string[],
  vocals: PcmAudio,
  grid: SongGrid | undefined,
): Promise<StageOutcome> {
  applyQaFlags(t, analysis);
  const qa = timingQa(t, analysis);
  const title = path.basename(ctx.paths.dir);
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
    outputs[key] = await ctx.write(ctx.paths.transcription(OUTPUT_FILES[key]), texts[key]);
  }
  ctx.progress(96, 'sung notes');
  const singer = await writeSingerFiles(ctx, t, vocals, grid, analysis.features);
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
