import fs from 'node:fs/promises';
import path from 'node:path';
import { exec } from '../infra/exec.js';
import { FORMAT_TABLE, ffmpegOutputArgs } from '../infra/audio-formats.js';
import { probe, type MediaTools } from '../infra/ffmpeg.js';
import { buildLines, type TimedWord, type Transcript } from '../engines/transcription/timeline.js';
import { renderAss } from '../exports/ass.js';
import { moveInto, writeFileAtomic } from '../storage/files.js';
import type { JobPaths } from '../storage/paths.js';
import { readableStem } from '../storage/stems.js';
import type { VariantParams } from './params.js';

/**
 * Renders a variant with one ffmpeg run: the instrumental through the rubberband filter (pitch
 * ×2^(semitones/12), tempo ×tempo), plus — for a guide — the lead vocal through the same
 * filter with formants preserved, at vocal_db, mixed in. For a tempo change the words, the
 * beats and the ASS are re-timed (÷ tempo) and written beside it.
 */
export interface VariantFiles {
  instrumental: string;
  transcription?: string;
  beats?: string;
  ass?: string;
}

const TIMEOUT_MS = 20 * 60 * 1000;
/** Assumed when the probe fails (it only decides whether MP3 needs a resample). */
const DEFAULT_RATE = 44100;

export async function renderVariant(
  tools: MediaTools,
  paths: JobPaths,
  id: string,
  p: VariantParams,
  onProgress: (percent: number) => void,
  signal?: AbortSignal,
): Promise<VariantFiles> {
  // The WAVs of the stems (16-bit copies when the stems are FLAC/MP3/Opus): never a lossy source.
  const instrumental = await readableStem(paths, 'instrumental');
  if (!instrumental) throw new Error('the instrumental stem is missing');
  const vocals = (await readableStem(paths, 'vocals')) ?? paths.stem('vocals');
  // The duration is only for progress: a slow or failed probe (a loaded machine) must not fail the render.
  const info = await probe(tools, instrumental, signal);
  const dir = paths.variantDir(id);
  await fs.mkdir(dir, { recursive: true });
  // The same table as the stems (infra/audio-formats.ts): codec, bit depth, rate, muxer.
  const row = FORMAT_TABLE[p.format];
  const out = path.join(dir, `instrumental.${row.ext}`);
  const tmp = `${out}.${process.pid}.tmp`;
  const stretch = rubberband(p);
  const inputs = ['-i', instrumental];
  let graph = `[0:a]${stretch}[out]`;
  if (p.vocal_db !== null) {
    inputs.push('-i', vocals);
    const voice = p.semitones !== 0 || p.tempo !== 1 ? `${stretch}:formant=preserved,` : '';
    graph = `[0:a]${stretch}[i];[1:a]${voice}volume=${p.vocal_db}dB[v];[i][v]amix=inputs=2:normalize=0:duration=first[out]`;
  }
  const total = (info?.durationS ?? 0) / p.tempo;
  let buffered = '';
  await exec(
    tools.ffmpeg,
    [
      '-v',
      'error',
      '-nostats',
      '-progress',
      'pipe:2',
      '-y',
      ...inputs,
      '-filter_complex',
      graph,
      '-map',
      '[out]',
      ...ffmpegOutputArgs(p.format, info?.sampleRate || DEFAULT_RATE),
      tmp,
    ],
    {
      timeoutMs: TIMEOUT_MS,
      signal,
      onStderr: (chunk) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const l of lines) {
          const m = /^out_time_us=(\d+)/.exec(l);
          if (m && total > 0) onProgress(Math.min(95, (100 * Number(m[1])) / 1e6 / total));
        }
      },
    },
  );
  await moveInto(tmp, out, { replace: true });
  const files: VariantFiles = { instrumental: paths.rel(out) };
  if (p.tempo !== 1) Object.assign(files, await retimed(paths, dir, p.tempo));
  onProgress(100);
  return files;
}

function rubberband(p: VariantParams): string {
  if (p.semitones === 0 && p.tempo === 1) return 'anull';
  const pitch = Math.pow(2, p.semitones / 12);
  return `rubberband=tempo=${p.tempo}:pitch=${pitch.toFixed(8)}`;
}

/** Words, beats and the ASS of the job with every time divided by the tempo factor. */
async function retimed(paths: JobPaths, dir: string, tempo: number): Promise<Partial<VariantFiles>> {
  const files: Partial<VariantFiles> = {};
  const scale = (t: number) => Math.round((t / tempo) * 1000) / 1000;
  const words = await readJson<{ words?: TimedWord[]; segments?: { text: string }[] }>(
    paths.transcription('transcription.json'),
  );
  if (words?.words) {
    const scaled = words.words.map((w) => ({ ...w, start: scale(w.start), end: scale(w.end) }));
    const t: Transcript = {
      language: null,
      source: 'aligned',
      words: scaled,
      lines: buildLines(
        scaled,
        words.segments?.map((s) => s.text),
      ),
    };
    const file = path.join(dir, 'transcription.json');
    await writeFileAtomic(file, `${JSON.stringify({ tempo_factor: tempo, words: scaled }, null, 1)}\n`, {
      fsync: false,
    });
    files.transcription = paths.rel(file);
    const beats = await readJson<{
      tempo_bpm?: number;
      beats?: { time: number; position: number }[];
      downbeats?: number[];
    }>(paths.beats('beats.json'));
    const grid = beats?.beats
      ? { beats: beats.beats.map((b) => scale(b.time)), downbeats: (beats.downbeats ?? []).map(scale) }
      : undefined;
    const assFile = path.join(dir, 'lyrics.ass');
    await writeFileAtomic(assFile, renderAss(t, { title: path.basename(paths.dir), grid }), { fsync: false });
    files.ass = paths.rel(assFile);
  }
  const beats = await readJson<{
    tempo_bpm?: number;
    beats?: { time: number; position: number }[];
    downbeats?: number[];
  }>(paths.beats('beats.json'));
  if (beats?.beats) {
    const file = path.join(dir, 'beats.json');
    const body = {
      ...beats,
      tempo_bpm:
        beats.tempo_bpm !== undefined ? Math.round(beats.tempo_bpm * tempo * 1000) / 1000 : undefined,
      beats: beats.beats.map((b) => ({ ...b, time: scale(b.time) })),
      downbeats: (beats.downbeats ?? []).map(scale),
    };
    await writeFileAtomic(file, `${JSON.stringify(body, null, 1)}\n`, { fsync: false });
    files.beats = paths.rel(file);
  }
  return files;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
