import fs from 'node:fs/promises';
import path from 'node:path';
import type { StageContext, StageHandler, StageHandlers, StageOutcome } from '../../src/domain/stage.js';
import { InputError, throwIfAborted } from '../../src/errors.js';
import { encodeWav } from '../../src/audio/wav.js';
import { renderTranscriptionJson } from '../../src/engines/transcription/transcript-json.js';
import { buildLines, type Transcript } from '../../src/engines/transcription/timeline.js';
import { analysisJson } from '../../src/stages/analyze-beats.js';
import { readableStem } from '../../src/storage/stems.js';

/**
 * Fake engines for driving the pipeline in tests. They write small but real files where the
 * real stages would, so the HTTP layer and the CLI see the same layout.
 */
export const FAKE_ENGINE = { name: 'fake', version: 'test', quality: 'dsp' as const };

async function writeFile(file: string, data: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}

export function fakeSeparation(): StageHandler {
  return async (ctx) => {
    const mix = await ctx.loadMix();
    const outputs: Record<string, string> = {};
    for (const name of ['vocals', 'drums', 'bass', 'other', 'instrumental'] as const) {
      const file = ctx.paths.stem(name);
      const scale = name === 'instrumental' ? 0.75 : 0.25;
      await writeFile(
        file,
        encodeWav({ sampleRate: mix.sampleRate, channels: mix.channels.map((c) => c.map((v) => v * scale)) }),
      );
      outputs[name] = ctx.paths.rel(file);
      ctx.progress(50);
    }
    return { status: 'completed', engine: FAKE_ENGINE, outputs, summary: { separation_engine: 'fake' } };
  };
}

export function fakeBeats(): StageHandler {
  return async (ctx) => {
    const mix = await ctx.loadMix();
    const duration = mix.channels[0].length / mix.sampleRate;
    const file = ctx.paths.beats('analysis.json');
    const beats = Float64Array.from({ length: Math.floor(duration * 2) }, (_, i) => i / 2);
    const analysis = analysisJson({
      tempoBpm: 120,
      tempoCandidates: [{ bpm: 120, score: 1 }],
      timeSignature: '4/4',
      beatsPerBar: 4,
      compound: false,
      beats,
      beatPositions: Int32Array.from(beats, (_, i) => (i % 4) + 1),
      downbeats: beats.filter((_, i) => i % 4 === 0),
      onsets: beats,
      tempoConfidence: 1,
      beatConfidence: 1,
      meterConfidence: 1,
      rhythmRegularity: 1,
      tempoCurve: [{ time: 0, bpm: 120 }],
      tempoSteady: true,
      duration,
    });
    await writeFile(file, JSON.stringify(analysis));
    return {
      status: 'completed',
      engine: FAKE_ENGINE,
      outputs: { analysis: ctx.paths.rel(file) },
      summary: { tempo_bpm: 120, time_signature: '4/4' },
    };
  };
}

export function fakeTranscription(): StageHandler {
  return async (ctx) => {
    // What the real stage reads: the WAV, or its .source copy when the stems are FLAC/MP3/Opus.
    if (!(await readableStem(ctx.paths, 'vocals'))) throw new InputError('NO_VOCALS', 'no vocals stem');
    const file = ctx.paths.transcription('transcription.json');
    const words = [{ word: 'la', start: 0.1, end: 0.3, confidence: 1, line: 0, flags: [] }];
    const transcript: Transcript = { language: 'en', source: 'aligned', words, lines: buildLines(words) };
    await writeFile(file, renderTranscriptionJson(transcript, undefined));
    return {
      status: 'completed',
      engine: FAKE_ENGINE,
      outputs: { transcription: ctx.paths.rel(file) },
      summary: { language: 'en', word_count: 1 },
    };
  };
}

export function fakeHandlers(overrides: Partial<StageHandlers> = {}): StageHandlers {
  return {
    separation: fakeSeparation(),
    beats: fakeBeats(),
    transcription: fakeTranscription(),
    ...overrides,
  };
}

/** Throws a transient error `failures` times, then delegates. Counts calls. */
export function flaky(failures: number, inner: StageHandler): StageHandler & { calls: number } {
  const h = (async (ctx: StageContext): Promise<StageOutcome> => {
    h.calls++;
    if (h.calls <= failures) throw new Error(`transient failure ${h.calls}`);
    return inner(ctx);
  }) as StageHandler & { calls: number };
  h.calls = 0;
  return h;
}

/** Reports progress in steps until aborted or `steps` are done. */
export function slow(steps: number, stepMs: number, inner: StageHandler): StageHandler {
  return async (ctx) => {
    for (let i = 0; i < steps; i++) {
      throwIfAborted(ctx.signal);
      ctx.progress((100 * i) / steps);
      await new Promise((r) => setTimeout(r, stepMs));
    }
    throwIfAborted(ctx.signal);
    return inner(ctx);
  };
}

/** Never finishes on its own; resolves only by abort (cancel, timeout, shutdown). */
export function hanging(): StageHandler & { started: Promise<void> } {
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const h = (async (ctx: StageContext): Promise<StageOutcome> => {
    markStarted();
    await new Promise<void>((resolve) =>
      ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    throwIfAborted(ctx.signal);
    return { status: 'completed', outputs: {} };
  }) as StageHandler & { started: Promise<void> };
  h.started = started;
  return h;
}
