import type { AppConfig } from '../config.js';
import { InputError } from '../errors.js';
import { BUNDLED_FFMPEG_VERSION, type MediaTools } from '../infra/ffmpeg.js';
import { WASM_DECODERS, type WasmFormat } from '../infra/wasm-decode/index.js';
import type { AudioFormat } from './sniff.js';

/**
 * Which decoder reads which format, in one table: plain WAV natively, MP3/FLAC/Vorbis/Opus in
 * WebAssembly, the rest (M4A/AAC, WAV codecs beyond PCM/float) with ffmpeg. ffmpeg is used for an
 * upload only when it is the system's, or when ALLOW_BUNDLED_FFMPEG=1 accepts the bundled 2018 build.
 */
const WASM_FORMATS: Partial<Record<AudioFormat, WasmFormat>> = {
  mp3: 'mp3',
  flac: 'flac',
  vorbis: 'vorbis',
  opus: 'opus',
};

export function wasmFormatOf(format: AudioFormat): WasmFormat | undefined {
  return WASM_FORMATS[format];
}

export function bundledFfmpegRefused(
  media: MediaTools,
  config: Pick<AppConfig, 'allowBundledFfmpeg'>,
): boolean {
  return media.bundled && !config.allowBundledFfmpeg;
}

/** Throws when `label` audio would need ffmpeg and only the refused bundled build is there. */
export function assertFfmpegUsable(
  media: MediaTools,
  config: Pick<AppConfig, 'allowBundledFfmpeg'>,
  label: string,
): void {
  if (!bundledFfmpegRefused(media, config)) return;
  throw new InputError(
    'DECODER_UNAVAILABLE',
    `${label} audio needs ffmpeg, and this server has only the bundled ffmpeg from 2018, which it does ` +
      'not run on uploads; the operator can install ffmpeg (or set ALLOW_BUNDLED_FFMPEG=1)',
    415,
  );
}

export interface DecoderReport {
  webassembly: Record<WasmFormat, string>;
  ffmpeg: { path: string; bundled: boolean; used_for_uploads: boolean; note?: string };
}

/** What decodes what on this machine: for /health, the start-up log and `karaoke doctor`. */
export function decoderReport(media: MediaTools, config: AppConfig): DecoderReport {
  const refused = bundledFfmpegRefused(media, config);
  return {
    webassembly: { ...WASM_DECODERS },
    ffmpeg: {
      path: media.ffmpeg,
      bundled: media.bundled,
      used_for_uploads: !refused,
      ...(media.bundled
        ? {
            note: refused
              ? `only the bundled ffmpeg ${BUNDLED_FFMPEG_VERSION} is available: M4A/AAC and non-PCM WAV uploads are refused (install ffmpeg, or set ALLOW_BUNDLED_FFMPEG=1)`
              : `uploads ffmpeg decodes use the bundled ffmpeg ${BUNDLED_FFMPEG_VERSION} (ALLOW_BUNDLED_FFMPEG=1); install ffmpeg to get a maintained one`,
          }
        : {}),
    },
  };
}
