/**
 * @file Everything an audio file must pass before a job is made of it: a known extension, content
 * that is accepted audio (a known type under the wrong name is kept under its real one, with a
 * warning), and a decode probe (audio stream, channels and rate within AUDIO_LIMITS, duration
 * > 0 and within MAX_DURATION_S, and not cut short). MP3/FLAC/Vorbis/Opus are decoded in full
 * by the WebAssembly decoders; the rest by ffmpeg (samples at the start and at the end).
 */

import fs from 'node:fs/promises';
import type { AppConfig } from '../config.js';
import { InputError } from '../errors.js';
import { decodeToPcm, probe, type MediaTools } from '../infra/ffmpeg.js';
import { isNativeWav, wavInfo, type WavInfo } from '../audio/wav.js';
import { wasmProbe, WasmDecodeError, type WasmFormat } from '../infra/wasm-decode/index.js';
import { assertFfmpegUsable, wasmFormatOf } from './decoders.js';
import { checkAudioFormat, decodedSampleLimit } from './limits.js';
import { EXTENSION_FORMATS, sniffFile, type Sniffed, type SniffedAudio } from './sniff.js';

export interface ValidatedAudio {
  ext: string;
  durationS: number;
  sizeBytes: number;
  codec: string;
  /** E.g. the file's name said .mp3 but it is WAV: it was accepted and handled as WAV. */
  warnings: string[];
}

/** Seconds decoded at each end of the file by the probe. */
const PROBE_SECONDS = 1;
/** A file whose last second cannot be decoded is cut short, unless it is shorter than this. */
const MIN_TAIL_CHECK_S = 2;
/** Bytes read for the WAV header walk. */
const HEADER_BYTES = 4096;
/** A decoded length this much shorter than the file's headers declare means it was cut short. */
const TRUNCATION_TOLERANCE_S = 0.25;

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
  const declaredExt = checkExtension(filename, config);
  const stat = await fs.stat(file);
  if (stat.size === 0) throw new InputError('EMPTY_FILE', 'the file is empty', 400);
  if (stat.size > config.maxFileSize) {
    throw new InputError(
      'FILE_TOO_LARGE',
      `the file is larger than the limit of ${config.maxFileSize} bytes`,
      413,
    );
  }
  const sniffed = await sniffFile(file);
  const { ext, warnings, audio } = realType(declaredExt, sniffed, config);
  const head = Buffer.alloc(Math.min(HEADER_BYTES, stat.size));
  const fh = await fs.open(file, 'r');
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  const container = audio.format;
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
      return {
        ext,
        durationS: wav.durationS,
        sizeBytes: stat.size,
        codec: `wav-${wav.bitsPerSample}`,
        warnings,
      };
    }
  }
  const wasm = wasmFormatOf(container);
  if (wasm) {
    const durationS = await wasmValidate(file, wasm, config, signal);
    return { ext, durationS, sizeBytes: stat.size, codec: wasm, warnings };
  }
  assertFfmpegUsable(media, config, audio.label);
  const info = await probe(media, file, signal);
  if (!info) throw new InputError('UNDECODABLE', 'the file has no decodable audio stream', 422);
  // The same bounds for every container (limits.ts), as far as the probe knows them.
  checkAudioFormat(info);
  checkDuration(info.durationS, config);
  const limit = decodedSampleLimit(config.maxDurationS + PROBE_SECONDS);
  if (info.channels * info.sampleRate * info.durationS > limit) throw tooManySamples(limit, info, config);
  await decodeProbe(media, file, info.durationS, signal);
  return { ext, durationS: info.durationS, sizeBytes: stat.size, codec: info.codec, warnings };
}

/**
 * The extension the file is kept under. Content of another accepted audio type than its name
 * says (a WAV named .mp3) is accepted under its real extension, with a warning; anything else
 * is refused with a message that names what the file really is.
 */
function realType(
  declaredExt: string,
  sniffed: Sniffed | undefined,
  config: AppConfig,
): { ext: string; warnings: string[]; audio: SniffedAudio } {
  if (!sniffed) throw new InputError('NOT_AUDIO', 'the file is not a recognised audio file', 415);
  if (sniffed.kind === 'other') {
    throw new InputError(
      'NOT_AUDIO',
      `the file is named .${declaredExt} but its content is ${sniffed.mime} (.${sniffed.ext}), not audio this service reads`,
      415,
    );
  }
  if (EXTENSION_FORMATS[declaredExt]?.includes(sniffed.format))
    return { ext: declaredExt, warnings: [], audio: sniffed };
  if (!config.allowedExtensions.includes(sniffed.ext)) {
    throw new InputError(
      'TYPE_MISMATCH',
      `the file is named .${declaredExt} but its content is ${sniffed.label}, which is not accepted here`,
      415,
    );
  }
  return {
    ext: sniffed.ext,
    audio: sniffed,
    warnings: [
      `the file is named .${declaredExt} but its content is ${sniffed.label}; it was handled as .${sniffed.ext}`,
    ],
  };
}

/** Decode the whole file in WebAssembly: layout, duration, decode errors and truncation. */
async function wasmValidate(
  file: string,
  format: WasmFormat,
  config: AppConfig,
  signal?: AbortSignal,
): Promise<number> {
  let r;
  try {
    r = await wasmProbe(file, format, config.maxDurationS + PROBE_SECONDS, { signal, timeoutMs: 120_000 });
  } catch (err) {
    if (err instanceof WasmDecodeError && err.reason === 'aborted') throw err;
    throw new InputError('UNDECODABLE', 'the audio could not be decoded', 422);
  }
  if (r.layoutProblem) throw new InputError('BAD_AUDIO_LAYOUT', r.layoutProblem, 422);
  if (r.tooManySamples) throw tooManySamples(r.tooManySamples, r, config);
  if (r.frames === 0) throw new InputError('UNDECODABLE', 'the audio could not be decoded', 422);
  const durationS = r.frames / r.sampleRate;
  if (r.tooLong) checkDuration(config.maxDurationS + PROBE_SECONDS, config);
  checkDuration(durationS, config);
  const tolerance = TRUNCATION_TOLERANCE_S * r.sampleRate;
  if (r.declaredFrames !== undefined && r.frames + tolerance < r.declaredFrames) {
    throw new InputError(
      'TRUNCATED',
      `the audio is cut short: its header declares ${(r.declaredFrames / r.sampleRate).toFixed(1)} s but only ${durationS.toFixed(1)} s can be decoded`,
      422,
    );
  }
  if (r.endsCleanly === false)
    throw new InputError('TRUNCATED', 'the audio is cut short: the Ogg stream has no end', 422);
  return durationS;
}

/** More samples than decodedSampleLimit (limits.ts): a compressed file of silence in many channels at a high rate. */
function tooManySamples(
  limit: number,
  fmt: { channels: number; sampleRate: number },
  config: AppConfig,
): InputError {
  const seconds = Math.floor(limit / (fmt.channels * fmt.sampleRate));
  return new InputError(
    'TOO_MANY_SAMPLES',
    `the audio decodes to more than ${limit} samples (${fmt.channels} channels at ${fmt.sampleRate} Hz: ` +
      `at most ${seconds} s of it); the limit is the longest song (${config.maxDurationS} s) in 7.1 at 48 kHz`,
    413,
  );
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
