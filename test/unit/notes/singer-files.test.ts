import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixOctaves, type SungNote } from '../../../src/audio/pitch/notes.js';
import { mulberry32 } from '../../../src/audio/random.js';
import type { Transcript } from '../../../src/engines/transcription/timeline.js';
import { writeSingerFiles } from '../../../src/stages/singer-files.js';
import { jobPaths } from '../../../src/storage/paths.js';
import { parseSmf } from '../../helpers/smf.js';
import { stageContext } from '../../helpers/stage-context.js';
import { parseUltraStar } from '../../helpers/ultrastar.js';

const SR = 44100;

interface Word {
  word: string;
  /** Unvoiced consonant before the vowel, seconds (part of the word and of its first note). */
  consonant: number;
  notes: [midi: number, seconds: number][];
  gap: number;
  /** Level of the vowel (1 = the phrase's level). */
  gain?: number;
}

/**
 * A sung phrase with a breathy voice: each word a noise consonant then its notes (harmonics
 * with vibrato, legato inside the word), a gap after it. Short function words ("to", "the") are
 * a quiet 35–50 ms vowel after their consonant, as a fast song sings them (the 'lenient' voicing
 * profile loses them; the notes' own profile keeps them).
 */
function sing(words: Word[], seed = 7) {
  const rand = mulberry32(seed);
  const truth: { word: string; start: number; end: number; notes: { midi: number; start: number }[] }[] = [];
  let t = 0.4;
  for (const w of words) {
    const start = t;
    t += w.consonant;
    const notes = w.notes.map(([midi, s], i) => {
      const n = { midi, start: i === 0 ? start : t };
      t += s;
      return n;
    });
    truth.push({ word: w.word, start, end: t, notes });
    t += w.gap;
  }
  const x = new Float32Array(Math.round((t + 0.4) * SR));
  let phase = 0;
  truth.forEach((w, wi) => {
    const i0 = Math.round(w.start * SR);
    const iv = Math.round((w.start + words[wi].consonant) * SR);
    const i1 = Math.round(w.end * SR);
    for (let i = i0; i < iv; i++) x[i] = 0.05 * (rand() * 2 - 1);
    for (let i = iv; i < i1; i++) {
      const time = i / SR;
      let midi = w.notes[0].midi;
      for (const n of w.notes) if (time >= n.start) midi = n.midi;
      const hz = 440 * Math.pow(2, (midi - 69) / 12) * (1 + 0.006 * Math.sin(2 * Math.PI * 5.5 * time));
      phase += (2 * Math.PI * hz) / SR;
      const env = Math.min(1, (i - iv) / 300, (i1 - i) / 300);
      const voice = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.3 * Math.sin(3 * phase);
      x[i] = 0.25 * (words[wi].gain ?? 1) * env * voice + 0.02 * (rand() * 2 - 1);
    }
  });
  return { x, truth };
}

const PHRASE: Word[] = [
  { word: 'hold', consonant: 0.04, notes: [[62, 0.32]], gap: 0.05 },
  { word: 'on', consonant: 0, notes: [[64, 0.25]], gap: 0.06 },
  { word: 'to', consonant: 0.03, notes: [[62, 0.05]], gap: 0.03, gain: 0.08 },
  { word: 'the', consonant: 0.03, notes: [[60, 0.035]], gap: 0.03, gain: 0.08 },
  {
    word: 'morning',
    consonant: 0.03,
    notes: [
      [59, 0.3],
      [55, 0.28],
    ],
    gap: 0.1,
  },
  {
    word: 'light',
    consonant: 0.03,
    notes: [
      [57, 0.35],
      [59, 0.3],
    ],
    gap: 0,
  },
];

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('singer files from a sung phrase', () => {
  it('finds every note, short function words included, in notes.json, vocals.mid and ultrastar.txt', async () => {
    const { x, truth } = sing(PHRASE);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'singer-files-'));
    dirs.push(dir);
    const paths = jobPaths(dir);
    await fs.mkdir(paths.stageDir('transcription'), { recursive: true });
    const vocals = { sampleRate: SR, channels: [x] };
    const { ctx } = stageContext({ stage: 'transcription', paths, loadMix: () => Promise.resolve(vocals) });
    const t: Transcript = {
      language: 'en',
      source: 'aligned',
      words: truth.map((w) => ({
        word: w.word,
        start: w.start,
        end: w.end,
        confidence: 1,
        line: 0,
        flags: [],
      })),
      lines: [
        {
          text: PHRASE.map((w) => w.word).join(' '),
          start: truth[0].start,
          end: truth[truth.length - 1].end,
          firstWord: 0,
          wordCount: truth.length,
        },
      ],
    };
    const out = await writeSingerFiles(ctx, t, vocals, undefined);
    const expected = truth.flatMap((w, wi) => w.notes.map((n) => ({ ...n, wi })));

    const doc = JSON.parse(await fs.readFile(ctx.paths.transcription('notes.json'), 'utf8')) as {
      notes: { midi: number; start: number; end: number; word_index: number }[];
    };
    expect(out.noteCount).toBe(doc.notes.length);
    expect(doc.notes.map((n) => n.midi)).toEqual(expected.map((e) => e.midi));
    doc.notes.forEach((n, i) => {
      expect(Math.abs(n.start - expected[i].start)).toBeLessThan(0.05);
      expect(n.word_index).toBe(expected[i].wi);
    });

    const smf = parseSmf(await fs.readFile(ctx.paths.transcription('vocals.mid')));
    expect(smf.notes.map((n) => n.pitch)).toEqual(expected.map((e) => e.midi));
    smf.notes.forEach((n, i) => expect(Math.abs(n.on - expected[i].start)).toBeLessThan(0.05));

    const us = parseUltraStar(await fs.readFile(ctx.paths.transcription('ultrastar.txt'), 'utf8'));
    expect(us.notes).toHaveLength(expected.length);
    expect(us.notes.map((n) => n.text.trim())).toContain('the');
  });

  it('counts quarter notes in a compound meter: the dotted-quarter beat is 1.5 of them', async () => {
    const { x, truth } = sing(PHRASE);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'singer-files-'));
    dirs.push(dir);
    const paths = jobPaths(dir);
    await fs.mkdir(paths.stageDir('transcription'), { recursive: true });
    const vocals = { sampleRate: SR, channels: [x] };
    const { ctx } = stageContext({ stage: 'transcription', paths, loadMix: () => Promise.resolve(vocals) });
    const t: Transcript = {
      language: 'en',
      source: 'aligned',
      words: truth.map((w) => ({
        word: w.word,
        start: w.start,
        end: w.end,
        confidence: 1,
        line: 0,
        flags: [],
      })),
      lines: [],
    };
    // 6/8 at 100 dotted quarters a minute: a beat every 0.6 s.
    const beats = Array.from({ length: 12 }, (_, i) => 0.2 + 0.6 * i);
    await writeSingerFiles(ctx, t, vocals, { beats, tempoBpm: 100, compound: true, timeSignature: '6/8' });
    const us = parseUltraStar(await fs.readFile(ctx.paths.transcription('ultrastar.txt'), 'utf8'));
    expect(us.bpm).toBe(150);
    const smf = parseSmf(await fs.readFile(ctx.paths.transcription('vocals.mid')));
    expect(smf.usPerQuarter).toBe(Math.round(60e6 / 150));
    expect(smf.timeSignature).toEqual({ num: 6, den: 8, clocks: 36 });
    // A file beat is a 16th of the 6/8 (0.1 s), so every beat of the song is on a whole file beat.
    const fileBeatS = 60 / (4 * us.bpm);
    expect(fileBeatS).toBeCloseTo(0.1, 9);
    expect(((us.gapMs / 1000 - beats[0]) / fileBeatS) % 1).toBeCloseTo(0, 6);
  });
});

describe('octave errors', () => {
  const note = (midi: number, start: number, end: number): SungNote => ({
    midi,
    start,
    end,
    wordIndex: 0,
    syllable: 0,
    text: 'a',
    confidence: 1,
  });

  it('moves a short note an octave or two off its neighbours back to their register', () => {
    const fixed = fixOctaves([
      note(57, 0, 0.3),
      note(60, 0.3, 0.5),
      note(38, 0.5, 0.65), // two octaves down: a subharmonic
      note(62, 0.65, 1.6),
      note(74, 1.6, 1.75), // an octave up: the second partial
      note(60, 1.75, 2.2),
      note(59, 2.2, 2.6),
    ]);
    expect(fixed.map((n) => n.midi)).toEqual([57, 60, 62, 62, 62, 60, 59]);
  });

  it('keeps a held octave leap and a short leap of a sixth', () => {
    const leap = [
      note(55, 0, 0.4),
      note(57, 0.4, 0.8),
      note(67, 0.8, 1.8),
      note(59, 1.8, 2.2),
      note(57, 2.2, 2.6),
    ];
    expect(fixOctaves(leap).map((n) => n.midi)).toEqual([55, 57, 67, 59, 57]);
    const sixth = [note(60, 0, 0.4), note(60, 0.4, 0.8), note(69, 0.8, 0.9), note(60, 0.9, 1.3)];
    expect(fixOctaves(sixth).map((n) => n.midi)).toEqual([60, 60, 69, 60]);
  });
});
