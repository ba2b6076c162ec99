import fs from 'node:fs/promises';
import type { PcmAudio } from '../audio/pcm.js';
import { decodeWav, isNativeWav, wavInfo } from '../audio/wav.js';
import type { AppConfig } from '../config.js';
import { decodeToPcm, type MediaTools } from '../infra/ffmpeg.js';
import { wasmDecode } from '../infra/wasm-decode/index.js';
import { assertFfmpegUsable, wasmFormatOf } from './decoders.js';
import { sniffFile } from './sniff.js';

/**
 * Decode a song once to stereo float PCM at the working rate. Plain PCM/float WAV in mono or
 * stereo is read natively (no subprocess); MP3, FLAC, Ogg Vorbis and Opus by the WebAssembly
 * decoders on a worker thread; the rest by ffmpeg (when its use is allowed: ingest/decoders.ts).
 */
export interface DecodeMixOptions {
  sampleRate: number;
  maxDurationS: number;
  signal?: AbortSignal;
  config: Pick<AppConfig, 'allowBundledFfmpeg'>;
}

export async function decodeMix(
  media: MediaTools,
  file: string,
  ext: string,
  opts: DecodeMixOptions,
): Promise<PcmAudio> {
  if (ext === 'wav') {
    const native = await decodeNativeWav(file, opts);
    if (native) return native;
  }
  const sniffed = await sniffFile(file);
  const wasm = sniffed?.kind === 'audio' ? wasmFormatOf(sniffed.format) : undefined;
  if (wasm) {
    const { audio } = await wasmDecode(file, wasm, opts.sampleRate, opts.maxDurationS, {
      signal: opts.signal,
    });
    return audio;
  }
  assertFfmpegUsable(media, opts.config, sniffed?.kind === 'audio' ? sniffed.label : `.${ext}`);
  return decodeToPcm(media, file, {
    sampleRate: opts.sampleRate,
    channels: 2,
    signal: opts.signal,
    maxDurationS: opts.maxDurationS,
  });
}

async function decodeNativeWav(file: string, opts: DecodeMixOptions): Promise<PcmAudio | undefined> {
  const buf = await fs.readFile(file);
  let info;
  try {
    info = wavInfo(buf);
  } catch {
    return undefined;
  }
  // Resampling is left to ffmpeg (a subprocess), so no sample-rate conversion runs in-process.
  if (!isNativeWav(info) || info.channels > 2 || info.sampleRate !== opts.sampleRate) return undefined;
  const pcm = decodeWav(buf);
  const maxFrames = Math.floor(opts.maxDurationS * pcm.sampleRate);
  let channels = pcm.channels.map((c) => (c.length > maxFrames ? c.subarray(0, maxFrames) : c));
  if (channels.length === 1) channels = [channels[0], channels[0].slice()];
  return { sampleRate: opts.sampleRate, channels };
}
