/**
 * @file What a file really is, from its magic bytes (the `file-type` library), whatever its name says.
 * `format` is the audio format we can process; `ext` is the extension that format is stored under
 * (a WAV named song.mp3 is handled as original.wav). Anything else keeps its MIME type, so a
 * refusal can name what the file really is.
 */

import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';

export type AudioFormat = 'mp3' | 'wav' | 'flac' | 'm4a' | 'vorbis' | 'opus';

export interface SniffedAudio {
  kind: 'audio';
  format: AudioFormat;
  ext: string;
  label: string;
}
export type Sniffed = SniffedAudio | { kind: 'other'; mime: string; ext: string };

/** file-type's extension → our format. MP4 brands other than M4A still hold AAC audio often. */
const FILE_TYPES: Record<string, { format: AudioFormat; ext: string; label: string }> = {
  mp3: { format: 'mp3', ext: 'mp3', label: 'MP3' },
  wav: { format: 'wav', ext: 'wav', label: 'WAV' },
  flac: { format: 'flac', ext: 'flac', label: 'FLAC' },
  m4a: { format: 'm4a', ext: 'm4a', label: 'M4A (MPEG-4 audio)' },
  m4b: { format: 'm4a', ext: 'm4a', label: 'M4A (MPEG-4 audio)' },
  mp4: { format: 'm4a', ext: 'm4a', label: 'MPEG-4' },
  ogg: { format: 'vorbis', ext: 'ogg', label: 'Ogg Vorbis' },
  opus: { format: 'opus', ext: 'opus', label: 'Ogg Opus' },
};

/** Extensions whose content may be any of these formats (.ogg may hold Opus). */
export const EXTENSION_FORMATS: Record<string, readonly AudioFormat[]> = {
  mp3: ['mp3'],
  wav: ['wav'],
  flac: ['flac'],
  m4a: ['m4a'],
  ogg: ['vorbis', 'opus'],
  opus: ['opus'],
};

export async function sniffFile(file: string): Promise<Sniffed | undefined> {
  return classify(await fileTypeFromFile(file));
}

export async function sniffBuffer(head: Uint8Array): Promise<Sniffed | undefined> {
  return classify(await fileTypeFromBuffer(head));
}

function classify(t: { ext: string; mime: string } | undefined): Sniffed | undefined {
  if (!t) return undefined;
  const audio = FILE_TYPES[t.ext];
  return audio ? { kind: 'audio', ...audio } : { kind: 'other', mime: t.mime, ext: t.ext };
}
