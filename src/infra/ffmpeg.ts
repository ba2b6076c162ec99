/**
 * @file ffmpeg/ffprobe: the system binaries when installed, else the static builds that ship inside
 * the npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe. Those builds date
 * from 2018 (years of decoder fixes behind), so `bundled` says when one of them is in use: uploads
 * are then decoded by ffmpeg only when ALLOW_BUNDLED_FFMPEG=1 (see ingest/decoders.ts).
 */

import { createRequire } from 'node:module';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { decodeWav, encodeWav } from '../audio/wav.js';
import type { PcmAudio } from '../audio/pcm.js';
import { moveInto, writeFileAtomic } from '../storage/files.js';
import { FORMAT_TABLE, ffmpegOutputArgs, type AudioFormat } from './audio-formats.js';
import { exec, ExecError } from './exec.js';

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
  /** True when ffmpeg or ffprobe is the bundled 2018 build, not the system's. */
  bundled: boolean;
}

/** The version the bundled static build reports (`ffmpeg -version`). */
export const BUNDLED_FFMPEG_VERSION = 'N-47683-g0e8eb07980 (2018)';

/** `searchPath`: the directories of PATH (`config.searchPath`); `[]` finds only the bundled build. */
export function findMediaTools(searchPath: readonly string[]): MediaTools {
  const ffmpeg = findBinary('ffmpeg', '@ffmpeg-installer/ffmpeg', searchPath);
  const ffprobe = findBinary('ffprobe', '@ffprobe-installer/ffprobe', searchPath);
  return { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, bundled: ffmpeg.bundled || ffprobe.bundled };
}

function findBinary(
  name: string,
  pkg: string,
  searchPath: readonly string[],
): { path: string; bundled: boolean } {
  for (const dir of searchPath) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return { path: candidate, bundled: false };
    } catch {
      // keep looking
    }
  }
  try {
    const require = createRequire(import.meta.url);
    const found = (require(pkg) as { path: string }).path;
    ensureExecutable(found);
    return { path: found, bundled: true };
  } catch {
    return { path: name, bundled: false }; // let spawn report it clearly
  }
}

/** The first line of `ffmpeg -version`, or undefined when it does not run. */
export async function ffmpegVersion(tools: MediaTools): Promise<string | undefined> {
  try {
    const { stdout } = await exec(tools.ffmpeg, ['-version'], { timeoutMs: 10_000 });
    return /^ffmpeg version (\S+)/.exec(stdout.toString('utf8'))?.[1];
  } catch {
    return undefined;
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

export interface EncodeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Writes float PCM to `file` in a format of the table (infra/audio-formats.ts), atomically: WAV
 * natively, the others by ffmpeg from the PCM piped in as float WAV (nothing lost before the
 * codec). ffmpeg writes to a file, not a pipe, because the FLAC and MP3 muxers seek back to
 * finish their headers (sample count, the Xing/LAME frame with the encoder delay).
 */
export async function encodeAudioFile(
  tools: MediaTools,
  audio: PcmAudio,
  format: AudioFormat,
  file: string,
  opts: EncodeOptions = {},
): Promise<void> {
  const row = FORMAT_TABLE[format];
  if (row.wav) {
    await writeFileAtomic(file, encodeWav(audio, row.wav));
    return;
  }
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await exec(
      tools.ffmpeg,
      [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-f',
        'wav',
        '-i',
        'pipe:0',
        ...ffmpegOutputArgs(format, audio.sampleRate),
        tmp,
      ],
      { input: encodeWav(audio, 'f32'), timeoutMs: opts.timeoutMs ?? 600_000, signal: opts.signal },
    );
    const fh = await fsp.open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await moveInto(tmp, file, { replace: true });
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}
