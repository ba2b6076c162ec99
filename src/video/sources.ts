import fs from 'node:fs/promises';
import path from 'node:path';
import { buildLines, type TimedWord, type Transcript } from '../engines/transcription/timeline.js';
import { AppError } from '../errors.js';
import type { LayoutGrid } from '../exports/karaoke-layout.js';
import type { JobPaths } from '../storage/paths.js';
import { readableStem } from '../storage/stems.js';

/**
 * What a video is made of: the audio (the job's instrumental, or a variant's), the word timeline
 * and the beat grid timed to that audio (a tempo variant's re-timed words and beats where it has
 * them; a key change alone keeps the job's). A variant is read from its variant.json (a service
 * job) or, for a `karaoke variant` directory that has none, from the files it holds.
 */
export interface VideoSources {
  audio: string;
  transcript: Transcript | undefined;
  grid: LayoutGrid | undefined;
}

export async function videoSources(paths: JobPaths, variant: string | null): Promise<VideoSources> {
  // The WAV (or, for FLAC/MP3/Opus stems, its kept 16-bit copy): storage/stems.ts.
  let audio = (await readableStem(paths, 'instrumental')) ?? paths.stem('instrumental');
  let words = paths.transcription('transcription.json');
  let beats = paths.beats('beats.json');
  if (variant !== null) {
    const dir = paths.variantDir(variant);
    const files = await variantFiles(dir, paths);
    if (!files.instrumental)
      throw new AppError('VARIANT_NOT_READY', `variant ${variant} is not rendered`, 409);
    audio = files.instrumental;
    if (files.transcription) words = files.transcription;
    if (files.beats) beats = files.beats;
  }
  await fs.access(audio).catch(() => {
    throw new AppError('NO_INSTRUMENTAL', 'the instrumental stem is missing', 409);
  });
  return { audio, transcript: await readTranscript(words), grid: await readGrid(beats) };
}

async function variantFiles(dir: string, paths: JobPaths): Promise<Record<string, string>> {
  const state = await readJson<{ status?: string; files?: Record<string, string> }>(
    path.join(dir, 'variant.json'),
  );
  const abs = (rel: string) => path.join(paths.dir, ...rel.split('/'));
  if (state) {
    if (state.status !== 'completed' || !state.files) return {};
    return Object.fromEntries(Object.entries(state.files).map(([k, rel]) => [k, abs(rel)]));
  }
  let names: string[] = [];
  try {
    names = await fs.readdir(dir);
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  const instrumental = names.find((n) => /^instrumental\.[a-z0-9]+$/.test(n));
  if (instrumental) out.instrumental = path.join(dir, instrumental);
  for (const [key, name] of [
    ['transcription', 'transcription.json'],
    ['beats', 'beats.json'],
  ])
    if (names.includes(name)) out[key] = path.join(dir, name);
  return out;
}

/** The word timeline of a transcription.json (the job's, or a variant's re-timed words). */
export async function readTranscript(file: string): Promise<Transcript | undefined> {
  const doc = await readJson<{ language?: string; words?: TimedWord[]; segments?: { text: string }[] }>(file);
  const words = (doc?.words ?? []).filter(
    (w) => Number.isFinite(w.start) && Number.isFinite(w.end) && Number.isInteger(w.line),
  );
  if (words.length === 0) return undefined;
  return {
    language: doc?.language ?? null,
    source: 'aligned',
    words,
    lines: buildLines(
      words,
      doc?.segments?.map((s) => s.text),
    ),
  };
}

async function readGrid(file: string): Promise<LayoutGrid | undefined> {
  const doc = await readJson<{ beats?: { time?: unknown }[]; downbeats?: unknown[] }>(file);
  const beats = (doc?.beats ?? []).map((b) => Number(b.time)).filter((t) => Number.isFinite(t) && t >= 0);
  if (beats.length < 2) return undefined;
  return { beats, downbeats: (doc?.downbeats ?? []).map(Number).filter(Number.isFinite) };
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
