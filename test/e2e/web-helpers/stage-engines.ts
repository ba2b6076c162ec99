import fs from 'node:fs/promises';
import path from 'node:path';
import type { StageHandler, StageHandlers, StageOutcome } from '../../../src/domain/stage.js';
import { encodeWav } from '../../../src/audio/wav.js';
import { buildLines, type TimedWord, type Transcript } from '../../../src/engines/transcription/timeline.js';
import { transcriptionDocument } from '../../../src/engines/transcription/transcript-json.js';
import { beats, writeJson } from './fake-engines.js';

/**
 * Fake engines for the stage-view test: stems whose sound tells them apart (a vocal tone and an
 * instrumental tone that drums + bass + other add up to), two lyric lines with a rest between
 * them (so the second gets a count-in), the second flagged low-confidence, and sung notes.
 */
export const STAGE_SONG_S = 8;
export const VOCAL_HZ = 660;
export const INSTRUMENTAL_HZ = 220;
export const TONE_AMPLITUDE = 0.3;
export const LOW_CONFIDENCE_WORD = 'slowly';

/** Words in reading order, with their lines; line 2 starts after a 3 s rest. */
export const STAGE_WORDS = [
  { word: 'hello', start: 0.3, end: 0.8, line: 0, confidence: 0.95 },
  { word: 'bright', start: 0.9, end: 1.5, line: 0, confidence: 0.9 },
  { word: 'world', start: 1.6, end: 2.2, line: 0, confidence: 0.92 },
  { word: 'rising', start: 5.2, end: 5.8, line: 1, confidence: 0.7 },
  { word: LOW_CONFIDENCE_WORD, start: 5.9, end: 6.6, line: 1, confidence: 0.3 },
  { word: 'up', start: 6.7, end: 7.4, line: 1, confidence: 0.6 },
];
export const NOTE_BASE_MIDI = 60;

function tone(freq: number, sr: number, n: number, gain = 1): Float32Array {
  const ch = new Float32Array(n);
  for (let i = 0; i < n; i++) ch[i] = gain * TONE_AMPLITUDE * Math.sin((2 * Math.PI * freq * i) / sr);
  return ch;
}

function separation(): StageHandler {
  return async (ctx): Promise<StageOutcome> => {
    const mix = await ctx.loadMix();
    const sr = mix.sampleRate;
    const n = mix.channels[0].length;
    const parts: Record<string, Float32Array> = {
      vocals: tone(VOCAL_HZ, sr, n),
      instrumental: tone(INSTRUMENTAL_HZ, sr, n),
      drums: tone(INSTRUMENTAL_HZ, sr, n, 1 / 3),
      bass: tone(INSTRUMENTAL_HZ, sr, n, 1 / 3),
      other: tone(INSTRUMENTAL_HZ, sr, n, 1 / 3),
    };
    const outputs: Record<string, string> = {};
    for (const [name, ch] of Object.entries(parts)) {
      const file = ctx.paths.stem(name as 'vocals');
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, encodeWav({ sampleRate: sr, channels: [ch, ch] }));
      outputs[name] = ctx.paths.rel(file);
    }
    const dsp = ctx.options.separationEngine === 'dsp';
    return {
      status: 'completed',
      engine: dsp
        ? { name: 'dsp-fallback', version: 'test', quality: 'fallback' }
        : { name: 'htdemucs-onnx', version: 'test', quality: 'model' },
      outputs,
      summary: { separation_engine: dsp ? 'dsp-fallback' : 'htdemucs-onnx' },
    };
  };
}

function transcription(): StageHandler {
  return async (ctx): Promise<StageOutcome> => {
    // The real document writer, so the results route's schema holds (as for a real job).
    const words: TimedWord[] = STAGE_WORDS.map((w) => ({ ...w, flags: [] }));
    const lines = buildLines(words).map((l, i) => (i === 1 ? { ...l, lowConfidence: true } : l));
    const transcript: Transcript = { language: 'en', source: 'aligned', words, lines };
    const file = ctx.paths.transcription('transcription.json');
    await writeJson(file, transcriptionDocument(transcript, undefined));
    const notesFile = ctx.paths.transcription('notes.json');
    await writeJson(notesFile, {
      notes: STAGE_WORDS.map((w, i) => ({
        start: w.start,
        end: w.end,
        midi: NOTE_BASE_MIDI + i,
        word_index: i,
        syllable: 0,
        text: w.word,
      })),
    });
    return {
      status: 'completed',
      engine: { name: 'lyrics-aligner', version: 'test', quality: 'dsp' },
      outputs: { transcription: ctx.paths.rel(file), notes: ctx.paths.rel(notesFile) },
      summary: { language: 'en', word_count: STAGE_WORDS.length },
    };
  };
}

export function stageTestHandlers(): StageHandlers {
  return { separation: separation(), transcription: transcription(), beats: beats() };
}
