/**
 * @file ffmpeg/ffprobe: the system binaries when installed, else the static builds that ship inside
 * the npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe, so a fresh machine
 * needs nothing but Node.js.
 */

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../audio/wav.js';
import type { PcmAudio } from '../audio/pcm.js';
import { exec, ExecError } from './exec.js';

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
}

/** `searchPath`: the directories of PATH (`config.searchPath`). */
export function findMediaTools(searchPath: readonly string[]): MediaTools {
  return {
    ffmpeg: findBinary(searchPath, 'ffmpeg', '@ffmpeg-installer/ffmpeg'),
    ffprobe: findBinary(searchPath, 'ffprobe', '@ffprobe-installer/ffprobe'),
  };
}

function findBinary(searchPath: readonly string[], name: string, pkg: string): string {
  for (const dir of searchPath) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  try {
    const require = createRequire(import.meta.url);
    const found = (require(pkg) as { path: string }).path;
    ensureExecutable(found);
    return found;
  } catch {
    return name; // let spawn report it clearly
  }
}

/** npm may unpack the bundled binary without its executable bit (install scripts are optional). */
function ensureExecutable(file: string): void {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    fs.chmodSync(file, 0o755);
  }
}

export interface ProbeResult {
  formatName: string;
  durationS: number;
  codec: string;
  sampleRate: number;
  channels: number;
}

export async function probe(
  tools: MediaTools,
  file: string,
  signal?: AbortSignal,
): Promise<ProbeResult | undefined> {
  try {
    const { stdout } = await exec(
      tools.ffprobe,
      [
        '-v',
        'error',
        '-show_entries',
        'format=format_name,duration:stream=codec_type,codec_name,sample_rate,channels',
        '-of',
        'json',
        file,
      ],
      { timeoutMs: 30_000, signal },
    );
    const info = JSON.parse(stdout.toString('utf8')) as {
      format?: { format_name?: string; duration?: string };
      streams?: { codec_type?: string; codec_name?: string; sample_rate?: string; channels?: number }[];
    };
    const audio = info.streams?.find((s) => s.codec_type === 'audio');
    if (!audio) return undefined;
    return {
      formatName: info.format?.format_name ?? '',
      durationS: Number(info.format?.duration ?? NaN),
      codec: audio.codec_name ?? '',
      sampleRate: Number(audio.sample_rate ?? 0),
      channels: audio.channels ?? 0,
    };
  } catch (err) {
    if (err instanceof ExecError && err.reason === 'aborted') throw err;
    return undefined;
  }
}

export interface DecodeOptions {
  sampleRate: number;
  channels: 1 | 2;
  startS?: number;
  /** Start this many seconds before the end (ffmpeg -sseof). */
  fromEndS?: number;
  maxDurationS?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Decode any input ffmpeg reads to float PCM (WAV through a pipe, so no temp files). */
export async function decodeToPcm(tools: MediaTools, file: string, opts: DecodeOptions): Promise<PcmAudio> {
  const args = ['-nostdin', '-v', 'error'];
  if (opts.fromEndS !== undefined) args.push('-sseof', `-${opts.fromEndS}`);
  if (opts.startS !== undefined) args.push('-ss', String(opts.startS));
  args.push('-i', file);
  if (opts.maxDurationS !== undefined) args.push('-t', String(opts.maxDurationS));
  args.push(
    '-map',
    '0:a:0',
    '-vn',
    '-ac',
    String(opts.channels),
    '-ar',
    String(opts.sampleRate),
    '-c:a',
    'pcm_f32le',
    '-f',
    'wav',
    'pipe:1',
  );
  const { stdout } = await exec(tools.ffmpeg, args, {
    timeoutMs: opts.timeoutMs ?? 600_000,
    signal: opts.signal,
    maxStdout: 4 * 1024 * 1024 * 1024 - 1,
  });
  return decodeWav(stdout);
}
