import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../../src/audio/pcm.js';
import { encodeWav } from '../../../src/audio/wav.js';
import type { JobOptions } from '../../../src/domain/stage.js';
import { InputError, UnavailableError } from '../../../src/errors.js';
import type { Recognizer, RecognizerProvider } from '../../../src/engines/transcription/recognizer.js';
import { asrWindows } from '../../../src/engines/transcription/asr.js';
import { analyzeVocals } from '../../../src/engines/transcription/analysis.js';
import { createTranscriptionStage } from '../../../src/stages/transcribe.js';
import { jobPaths } from '../../../src/storage/paths.js';
import { SAMPLE_LYRICS, synthVocals, type SynthWord } from './synth-vocals.js';
import { stageContext } from '../../helpers/stage-context.js';
import { parseSmf } from '../../helpers/smf.js';
import { parseUltraStar } from '../../helpers/ultrastar.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'transcribe-stage-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function context(
  vocals: PcmAudio | undefined,
  options: Partial<JobOptions> = {},
  configOverrides = {},
) {
  const paths = jobPaths(dir);
  if (vocals) {
    await fs.mkdir(path.dirname(paths.stem('vocals')), { recursive: true });
    await fs.writeFile(paths.stem('vocals'), encodeWav(vocals));
  }
  return stageContext({
    stage: 'transcription',
    paths,
    options,
    config: { offline: true, modelsDir: path.join(dir, 'models'), ...configOverrides },
    loadMix: () => Promise.reject(new Error('the transcription stage reads the vocals stem, not the mix')),
  });
}

const noWhisper: RecognizerProvider = { get: () => Promise.reject(new UnavailableError('no model here')) };

/**
 * A fake recogniser that "hears" the sung words plus a hallucinated "Thank you." at
 * `hallucinateAt`. It is called once per VAD window, with window-relative audio, so it is
 * told the windows the stage will use (same analysis, same function) to answer in window time.
 */
function fakeWhisper(audio: PcmAudio, words: SynthWord[], hallucinateAt: number): RecognizerProvider {
  const a = analyzeVocals(audio);
  const windows = asrWindows(a.activity.segments, a.duration);
  let call = 0;
  const rec: Recognizer = {
    info: { name: 'whisper:fake', version: 'test', quality: 'model' },
    recognize: (chunk) => {
      const w0 = windows[call++].start;
      const len = chunk.length / 16000;
      const heard = words.map((w) => ({ word: w.text, start: w.start, end: w.end }));
      heard.push(
        { word: 'Thank', start: hallucinateAt, end: hallucinateAt + 0.3 },
        { word: 'you.', start: hallucinateAt + 0.3, end: hallucinateAt + 0.6 },
      );
      const inWindow = heard
        .map((w) => ({ ...w, start: w.start - w0, end: w.end - w0 }))
        .filter((w) => w.start >= 0 && w.start < len);
      return Promise.resolve({ language: 'en', words: inWindow });
    },
  };
  return { get: () => Promise.resolve(rec) };
}

const lyricsOf = (lines: string[][]) => lines.map((l) => l.join(' ')).join('\n');
const FILES = [
  'transcription.json',
  'lyrics.lrc',
  'lyrics.elrc',
  'lyrics.srt',
  'lyrics.vtt',
  'lyrics.ass',
  'notes.json',
  'vocals.mid',
  'ultrastar.txt',
];

describe('transcription stage', () => {
  it('aligns given lyrics without any model and writes every format', async () => {
    const { audio, words } = synthVocals(SAMPLE_LYRICS, { seed: 4 });
    const { ctx, progress } = await context(audio, { lyrics: lyricsOf(SAMPLE_LYRICS) });
    const out = await createTranscriptionStage({ recognizer: noWhisper })(ctx);
    expect(out.status).toBe('completed');
    expect(out.engine?.name).toBe('lyrics-aligner');
    expect(out.outputs).toEqual({
      transcription: 'transcription/transcription.json',
      lrc: 'transcription/lyrics.lrc',
      elrc: 'transcription/lyrics.elrc',
      srt: 'transcription/lyrics.srt',
      vtt: 'transcription/lyrics.vtt',
      ass: 'transcription/lyrics.ass',
      notes: 'transcription/notes.json',
      midi: 'transcription/vocals.mid',
      ultrastar: 'transcription/ultrastar.txt',
    });
    for (const f of FILES) expect((await fs.stat(ctx.paths.transcription(f))).size).toBeGreaterThan(0);
    expect(await fs.readdir(ctx.paths.stageDir('transcription'))).toEqual([...FILES].sort());
    expect(out.summary).toMatchObject({
      lyrics_source: 'aligned',
      word_count: words.length,
      transcription_engine: 'lyrics-aligner',
    });
    expect(out.summary?.timing_score).toBeGreaterThan(50);
    expect(out.warnings?.join(' ')).toMatch(/no model here/);
    const doc = JSON.parse(await fs.readFile(ctx.paths.transcription('transcription.json'), 'utf8'));
    expect(doc.words).toHaveLength(words.length);
    expect(doc.segments).toHaveLength(SAMPLE_LYRICS.length);
    expect(doc.text).toBe(lyricsOf(SAMPLE_LYRICS));
    expect(doc.qa.words_starting_in_silence).toEqual([]);
    expect(progress[progress.length - 1]).toBe(100);
    // The sung notes, read back in each format: every note inside its word, MIDI = notes.json.
    const notes = JSON.parse(await fs.readFile(ctx.paths.transcription('notes.json'), 'utf8'));
    expect(notes.hop).toBe(0.01);
    expect(notes.grid).toBe('none');
    expect(notes.notes.length).toBeGreaterThanOrEqual(words.length);
    expect(out.summary?.note_count).toBe(notes.notes.length);
    for (const n of notes.notes) {
      const w = doc.words[n.word_index];
      expect(n.start).toBeGreaterThanOrEqual(w.start - 1e-3);
      expect(n.end).toBeLessThanOrEqual(w.end + 0.011);
    }
    expect(notes.pitch.f0.length).toBe(notes.pitch.voicing.length);
    const smf = parseSmf(await fs.readFile(ctx.paths.transcription('vocals.mid')));
    expect(smf.notes.map((n) => n.pitch)).toEqual(notes.notes.map((n: { midi: number }) => n.midi));
    const us = parseUltraStar(await fs.readFile(ctx.paths.transcription('ultrastar.txt'), 'utf8'));
    expect(us.notes).toHaveLength(notes.notes.length);
    expect(us.breaks).toHaveLength(SAMPLE_LYRICS.length - 1);
  });

  it('transcribes with a recogniser and drops words invented over silence', async () => {
    const { audio, words } = synthVocals(SAMPLE_LYRICS.slice(0, 2), { seed: 6, tail: 8 });
    // In the rest between the two lines, inside the same recognition window.
    const restStart = words[SAMPLE_LYRICS[0].length - 1].end;
    const { ctx } = await context(audio, { language: 'en' });
    const out = await createTranscriptionStage({ recognizer: fakeWhisper(audio, words, restStart + 0.4) })(
      ctx,
    );
    expect(out.status).toBe('completed');
    expect(out.summary).toMatchObject({
      lyrics_source: 'transcribed',
      language: 'en',
      word_count: words.length,
    });
    const doc = JSON.parse(await fs.readFile(ctx.paths.transcription('transcription.json'), 'utf8'));
    expect(doc.words.map((w: { word: string }) => w.word)).toEqual(words.map((w) => w.text));
    expect(out.warnings?.join(' ')).toMatch(/dropped 2 word/);
  });

  it('uses recognised words as anchors when lyrics are given', async () => {
    const { audio, words } = synthVocals(SAMPLE_LYRICS, { seed: 8 });
    const { ctx } = await context(audio, { lyrics: lyricsOf(SAMPLE_LYRICS), language: 'en' });
    const out = await createTranscriptionStage({ recognizer: fakeWhisper(audio, words, 0.2) })(ctx);
    expect(out.summary?.lyrics_source).toBe('aligned+asr');
    const doc = JSON.parse(await fs.readFile(ctx.paths.transcription('transcription.json'), 'utf8'));
    expect(
      doc.words.filter((w: { flags: string[] }) => w.flags.includes('asr_match')).length,
    ).toBeGreaterThan(words.length / 2);
  });

  it('is unavailable with the reason when there are no lyrics and no Whisper (real loader, offline)', async () => {
    const { audio } = synthVocals(SAMPLE_LYRICS.slice(0, 1), { seed: 1 });
    const { ctx } = await context(audio);
    const out = await createTranscriptionStage()(ctx);
    expect(out.status).toBe('unavailable');
    expect(out.reason).toMatch(/OFFLINE=1/);
    expect(out.reason).toMatch(/lyrics/);
  });

  it('gives an empty transcription for an instrumental (silent vocals)', async () => {
    const sr = 44100;
    const silent = { sampleRate: sr, channels: [new Float32Array(sr * 4), new Float32Array(sr * 4)] };
    const { ctx } = await context(silent, { lyrics: lyricsOf(SAMPLE_LYRICS) });
    const out = await createTranscriptionStage({ recognizer: noWhisper })(ctx);
    expect(out.status).toBe('completed');
    expect(out.summary?.word_count).toBe(0);
    const doc = JSON.parse(await fs.readFile(ctx.paths.transcription('transcription.json'), 'utf8'));
    expect(doc.words).toEqual([]);
    expect(await fs.readFile(ctx.paths.transcription('lyrics.srt'), 'utf8')).toBe('');
  });

  it('fails fast without a vocals stem', async () => {
    const { ctx } = await context(undefined, { lyrics: 'hello' });
    const err = await createTranscriptionStage({ recognizer: noWhisper })(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('NO_VOCALS');
  });

  it('honours cancellation', async () => {
    const { audio } = synthVocals(SAMPLE_LYRICS, { seed: 2 });
    const { ctx } = await context(audio, { lyrics: lyricsOf(SAMPLE_LYRICS) });
    const ac = new AbortController();
    ac.abort();
    await expect(
      createTranscriptionStage({ recognizer: noWhisper })({ ...ctx, signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
