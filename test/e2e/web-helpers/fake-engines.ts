import fs from 'node:fs/promises';
import path from 'node:path';
import type { StageHandler, StageHandlers, StageOutcome } from '../../../src/domain/stage.js';
import { transcriptionDocument } from '../../../src/engines/transcription/transcript-json.js';
import { buildLines, type TimedWord, type Transcript } from '../../../src/engines/transcription/timeline.js';
import { fakeSeparation } from '../../helpers/fake-stages.js';

/**
 * Fake engines for the page test, richer than test/helpers/fake-stages.ts: a transcription with
 * lines and several timed words, and beats with bar positions, so the player has something to sync.
 * They branch on the job options the way the real engines do: no lyrics → no ASR model here →
 * transcription unavailable; separation_engine=dsp → a "fallback" engine.
 */
export const WORD_START_S = 0.2;
export const WORD_STEP_S = 0.4;
export const WORD_LENGTH_S = 0.3;
export const BEAT_PERIOD_S = 0.5;
export const BEATS_PER_BAR = 4;
export const NO_MODEL_REASON = 'no speech model available offline (WHISPER_MODEL not downloaded)';

export async function writeJson(file: string, body: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(body));
}

/** The word at `index` (in reading order) of the lyrics, as the fake aligner times it. */
export function wordTiming(index: number): { start: number; end: number } {
  const start = WORD_START_S + index * WORD_STEP_S;
  return { start, end: start + WORD_LENGTH_S };
}

export function separation(): StageHandler {
  const inner = fakeSeparation();
  return async (ctx) => {
    const out = await inner(ctx);
    const dsp = ctx.options.separationEngine === 'dsp';
    return {
      ...out,
      engine: dsp
        ? { name: 'dsp-fallback', version: 'test', quality: 'fallback' }
        : { name: 'htdemucs-onnx', version: 'test', quality: 'model' },
      summary: { separation_engine: dsp ? 'dsp-fallback' : 'htdemucs-onnx' },
      warnings: dsp ? ['classical DSP separation: expect bleed between stems'] : [],
    };
  };
}

function transcription(): StageHandler {
  return async (ctx): Promise<StageOutcome> => {
    if (!ctx.options.lyrics) return { status: 'unavailable', reason: NO_MODEL_REASON, outputs: {} };
    const lines = ctx.options.lyrics.split('\n').map((l) => l.trim().split(/\s+/));
    let n = 0;
    const words: TimedWord[] = lines.flatMap((ws, line) =>
      ws.map((word) => ({ word, ...wordTiming(n++), confidence: 0.9, line, flags: [] })),
    );
    words[words.length - 1].flags.push('low_confidence');
    const file = ctx.paths.transcription('transcription.json');
    const transcript: Transcript = { language: 'en', source: 'aligned', words, lines: buildLines(words) };
    await writeJson(file, transcriptionDocument(transcript, undefined));
    return {
      status: 'completed',
      engine: { name: 'lyrics-aligner', version: 'test', quality: 'dsp' },
      outputs: { transcription: ctx.paths.rel(file) },
      summary: { language: 'en', word_count: words.length },
    };
  };
}

export function beats(): StageHandler {
  return async (ctx) => {
    const mix = await ctx.loadMix();
    const duration = mix.channels[0].length / mix.sampleRate;
    const times: number[] = [];
    for (let t = 0; t < duration; t += BEAT_PERIOD_S) times.push(Math.round(t * 1000) / 1000);
    const list = times.map((time, i) => ({ time, position: (i % BEATS_PER_BAR) + 1 }));
    const downbeats = list.filter((b) => b.position === 1).map((b) => b.time);
    const tempo = 60 / BEAT_PERIOD_S;
    const analysis = ctx.paths.beats('analysis.json');
    const beatsFile = ctx.paths.beats('beats.json');
    await writeJson(analysis, {
      tempo_bpm: tempo,
      tempo_candidates: [{ bpm: tempo, score: 1 }],
      tempo_confidence: 1,
      time_signature: '4/4',
      beats_per_bar: BEATS_PER_BAR,
      compound: false,
      beat_confidence: 1,
      meter_confidence: 1,
      rhythm_regularity: 1,
      beat_count: list.length,
      downbeats,
      duration,
      engine: { name: 'beat-dsp', version: 'test' },
    });
    await writeJson(beatsFile, { tempo_bpm: tempo, time_signature: '4/4', beats: list, downbeats });
    return {
      status: 'completed',
      engine: { name: 'beat-dsp', version: 'test', quality: 'dsp' },
      outputs: { analysis: ctx.paths.rel(analysis), beats: ctx.paths.rel(beatsFile) },
      summary: {
        tempo_bpm: tempo,
        time_signature: '4/4',
        beat_count: list.length,
        beats_per_bar: BEATS_PER_BAR,
      },
    };
  };
}

export function pageTestHandlers(): StageHandlers {
  return { separation: separation(), transcription: transcription(), beats: beats() };
}
