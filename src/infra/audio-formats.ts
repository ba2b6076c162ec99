import type { WavSampleFormat } from '../audio/wav.js';

/**
 * @file The one table of audio output formats, for stems (STEM_FORMAT, the per-job `stem_format`)
 * and instrumental variants (`format`). Each row says what the file is (container, codec as
 * ffprobe names it, extension, Content-Type) and how it is made: WAV rows are written natively
 * (`wav`, no subprocess); the others by ffmpeg from a float WAV piped in (`ffmpegArgs`, after
 * `-i pipe:0` or the render's filter graph). `wav` (16-bit PCM) is the default everywhere.
 */

export const AUDIO_FORMATS = ['wav', 'wav24', 'wav_f32', 'flac', 'mp3', 'opus'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

export interface AudioFormatRow {
  description: string;
  /** ffmpeg muxer (`-f`), so a temp name's extension does not decide the container. */
  container: 'wav' | 'flac' | 'mp3' | 'ogg';
  /** The codec ffprobe reports for the audio stream. */
  codec: string;
  ext: string;
  contentType: string;
  /** A lossy codec (what it stores is not the PCM it was given). */
  lossy: boolean;
  /** Bits per stored sample for PCM and FLAC; undefined for lossy codecs. */
  bits?: 16 | 24 | 32;
  /** Written by audio/wav.ts without ffmpeg. */
  wav?: WavSampleFormat;
  /** ffmpeg output arguments (codec, bit depth or rate), without `-f` and the output name. */
  ffmpegArgs: readonly string[];
  /** The sample rate the file is stored at, given the source rate (Opus always plays at 48 kHz). */
  sampleRate(sourceRate: number): number;
}

/** MPEG-1/2/2.5 Layer III rates; anything else is stored at 48 kHz. */
const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];
const same = (r: number) => r;

export const FORMAT_TABLE: { readonly [F in AudioFormat]: AudioFormatRow } = {
  wav: {
    description: 'WAV, 16-bit PCM (default)',
    container: 'wav',
    codec: 'pcm_s16le',
    ext: 'wav',
    contentType: 'audio/wav',
    lossy: false,
    bits: 16,
    wav: 's16',
    ffmpegArgs: ['-c:a', 'pcm_s16le'],
    sampleRate: same,
  },
  wav24: {
    description: 'WAV, 24-bit PCM',
    container: 'wav',
    codec: 'pcm_s24le',
    ext: 'wav',
    contentType: 'audio/wav',
    lossy: false,
    bits: 24,
    wav: 's24',
    ffmpegArgs: ['-c:a', 'pcm_s24le'],
    sampleRate: same,
  },
  wav_f32: {
    description: 'WAV, 32-bit float (the separator output, bit for bit)',
    container: 'wav',
    codec: 'pcm_f32le',
    ext: 'wav',
    contentType: 'audio/wav',
    lossy: false,
    bits: 32,
    wav: 'f32',
    ffmpegArgs: ['-c:a', 'pcm_f32le'],
    sampleRate: same,
  },
  flac: {
    description: 'FLAC, 16-bit (the 16-bit WAV, losslessly compressed)',
    container: 'flac',
    codec: 'flac',
    ext: 'flac',
    contentType: 'audio/flac',
    lossy: false,
    bits: 16,
    ffmpegArgs: ['-c:a', 'flac', '-sample_fmt', 's16', '-compression_level', '5'],
    sampleRate: same,
  },
  mp3: {
    description: 'MP3, 320 kb/s CBR (LAME)',
    container: 'mp3',
    codec: 'mp3',
    ext: 'mp3',
    contentType: 'audio/mpeg',
    lossy: true,
    ffmpegArgs: ['-c:a', 'libmp3lame', '-b:a', '320k'],
    sampleRate: (r) => (MP3_RATES.includes(r) ? r : 48000),
  },
  opus: {
    description: 'Opus in Ogg, 192 kb/s, 48 kHz',
    container: 'ogg',
    codec: 'opus',
    ext: 'opus',
    contentType: 'audio/ogg',
    lossy: true,
    ffmpegArgs: ['-c:a', 'libopus', '-b:a', '192k'],
    sampleRate: () => 48000,
  },
};

/** Older STEM_FORMAT spellings, still accepted. */
const ALIASES: ReadonlyMap<string, AudioFormat> = new Map([
  ['s16', 'wav'],
  ['wav16', 'wav'],
  ['s24', 'wav24'],
  ['f32', 'wav_f32'],
]);

/** A format name (or an alias), case-insensitive; undefined when it names none. */
export function parseAudioFormat(raw: string): AudioFormat | undefined {
  const v = raw.trim().toLowerCase();
  if ((AUDIO_FORMATS as readonly string[]).includes(v)) return v as AudioFormat;
  return ALIASES.get(v);
}

export const AUDIO_FORMATS_TEXT = AUDIO_FORMATS.join(', ');

/** The ffmpeg output arguments for a row at a source rate: codec args, the rate when it changes, muxer. */
export function ffmpegOutputArgs(format: AudioFormat, sourceRate: number): string[] {
  const row = FORMAT_TABLE[format];
  const rate = row.sampleRate(sourceRate);
  return [...row.ffmpegArgs, ...(rate !== sourceRate ? ['-ar', String(rate)] : []), '-f', row.container];
}
