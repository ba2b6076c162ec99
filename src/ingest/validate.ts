/**
 * @file Everything an audio file must pass before a job is made of it: a known extension, content
 * that is the container the extension names, and a decode probe (audio stream, duration > 0
 * and within MAX_DURATION_S, samples at the start and at the end, so a truncated file shows).
 */

import fs from 'node:fs/promises';
import type { AppConfig } from '../config.js';
import { InputError } from '../errors.js';
import { decodeToPcm, probe, type MediaTools } from '../infra/ffmpeg.js';
import { isNativeWav, wavInfo, type WavInfo } from '../audio/wav.js';
import { EXTENSION_CONTAINERS, SNIFF_BYTES, sniffContainer } from './sniff.js';

export interface ValidatedAudio {
  ext: string;
  durationS: number;
  sizeBytes: number;
  codec: string;
}

/** Seconds decoded at each end of the file by the probe. */
const PROBE_SECONDS = 1;
/** A file whose last second cannot be decoded is cut short, unless it is shorter than this. */
const MIN_TAIL_CHECK_S = 2;
/** Bytes read for the magic-byte check and the WAV header walk. */
const HEADER_BYTES = Math.max(SNIFF_BYTES, 4096);
/** What an audio header may claim; anything else is refused before a sample is decoded. */
export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 384_000;
export const MAX_CHANNELS = 8;

/** Throws a 422 when a header's sample rate or channel count is outside what we process. */
export function checkAudioFormat(fmt: { sampleRate: number; channels: number }): void {
  if (!(fmt.sampleRate >= MIN_SAMPLE_RATE && fmt.sampleRate <= MAX_SAMPLE_RATE))
    throw new InputError(
      'BAD_SAMPLE_RATE',
      `the audio header claims ${fmt.sampleRate} Hz; accepted: ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz`,
      422,
    );
  if (!(fmt.channels >= 1 && fmt.channels <= MAX_CHANNELS))
    throw new InputError(
      'BAD_CHANNELS',
      `the audio header claims ${fmt.channels} channels; accepted: 1–${MAX_CHANNELS}`,
      422,
    );
}

export function extensionOf(filename: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(filename);
  return m ? m[1].toLowerCase() : '';
}

export function checkExtension(filename: string, config: AppConfig): string {
  const ext = extensionOf(filename);
  if (!ext || !config.allowedExtensions.includes(ext)) {
    throw new InputError(
      'UNSUPPORTED_EXTENSION',
      `file type ${ext ? `".${ext}"` : '(none)'} is not accepted; allowed: ${config.allowedExtensions.join(', ')}`,
      415,
    );
  }
  return ext;
}

export async function validateAudioFile(
  file: string,
  filename: string,
  config: AppConfig,
  media: MediaTools,
  signal?: AbortSignal,
): Promise<ValidatedAudio> {
  const ext = checkExtension(filename, config);
  const stat = await fs.stat(file);
  if (stat.size === 0) throw new InputError('EMPTY_FILE', 'the file is empty', 400);
  if (stat.size > config.maxFileSize) {
    throw new InputError(
      'FILE_TOO_LARGE',
      `the file is larger than the limit of ${config.maxFileSize} bytes`,
      413,
    );
  }
  const head = Buffer.alloc(Math.min(HEADER_BYTES, stat.size));
  const fh = await fs.open(file, 'r');
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  const container = sniffContainer(head);
  if (!container) throw new InputError('NOT_AUDIO', 'the file is not a recognised audio file', 415);
  if (!EXTENSION_CONTAINERS[ext]?.includes(container)) {
    throw new InputError(
      'TYPE_MISMATCH',
      `the file has the extension .${ext} but its content is ${container} audio`,
      415,
    );
  }
  if (container === 'wav') {
    const fmt = readWavFmt(head);
    if (fmt) checkAudioFormat(fmt);
    const wav = readWavHeader(head, stat.size);
    if (wav?.declaredDataBytes !== undefined && wav.declaredDataBytes > wav.dataBytes) {
      throw new InputError(
        'TRUNCATED',
        `the WAV header declares ${wav.declaredDataBytes} bytes of audio but the file has ${wav.dataBytes}`,
        422,
      );
    }
    // Plain PCM/float WAV is read natively: its header says everything a probe would.
    if (wav && isNativeWav(wav)) {
      checkDuration(wav.durationS, config);
      return { ext, durationS: wav.durationS, sizeBytes: stat.size, codec: `wav-${wav.bitsPerSample}` };
    }
  }
  const info = await probe(media, file, signal);
  if (!info) throw new InputError('UNDECODABLE', 'the file has no decodable audio stream', 422);
  // The same bounds for every container, as far as the probe knows them.
  if (info.sampleRate > 0 && info.channels > 0) checkAudioFormat(info);
  checkDuration(info.durationS, config);
  await decodeProbe(media, file, info.durationS, signal);
  return { ext, durationS: info.durationS, sizeBytes: stat.size, codec: info.codec };
}

function checkDuration(durationS: number, config: AppConfig): void {
  if (!(durationS > 0)) throw new InputError('EMPTY_AUDIO', 'the audio has no duration', 422);
  if (durationS > config.maxDurationS) {
    throw new InputError(
      'TOO_LONG',
      `the audio lasts ${Math.round(durationS)} s; the limit is ${config.maxDurationS} s`,
      413,
    );
  }
}

/** The fmt chunk of a WAV head, found even when the data chunk lies beyond the bytes read. */
function readWavFmt(head: Buffer): { sampleRate: number; channels: number } | undefined {
  let pos = 12;
  while (pos + 8 <= head.length) {
    const id = head.toString('ascii', pos, pos + 4);
    const size = head.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      if (pos + 8 + 16 > head.length) return undefined;
      return { channels: head.readUInt16LE(pos + 10), sampleRate: head.readUInt32LE(pos + 12) };
    }
    pos += 8 + size + (size & 1);
  }
  return undefined;
}

function readWavHeader(head: Buffer, fileSize: number): WavInfo | undefined {
  try {
    return wavInfo(head, fileSize);
  } catch {
    return undefined; // e.g. a data chunk beyond the header bytes read: ffprobe decides
  }
}

async function decodeProbe(
  media: MediaTools,
  file: string,
  durationS: number,
  signal?: AbortSignal,
): Promise<void> {
  const opts = {
    sampleRate: 8000,
    channels: 1 as const,
    maxDurationS: PROBE_SECONDS,
    signal,
    timeoutMs: 30_000,
  };
  const samples = async (extra: { fromEndS?: number }) => {
    try {
      const pcm = await decodeToPcm(media, file, { ...opts, ...extra });
      return pcm.channels[0]?.length ?? 0;
    } catch {
      return 0;
    }
  };
  if ((await samples({})) === 0) throw new InputError('UNDECODABLE', 'the audio could not be decoded', 422);
  if (durationS >= MIN_TAIL_CHECK_S && (await samples({ fromEndS: PROBE_SECONDS })) === 0) {
    throw new InputError('TRUNCATED', 'the audio is cut short: its end cannot be decoded', 422);
  }
}
