/**
 * @file Which audio container the first bytes of a file are, whatever its name says.
 * Extensions map to the containers they may hold; an upload is accepted only when both agree.
 */

export type Container = 'mp3' | 'wav' | 'flac' | 'mp4' | 'ogg';

export const SNIFF_BYTES = 64;

export const EXTENSION_CONTAINERS: Record<string, readonly Container[]> = {
  mp3: ['mp3'],
  wav: ['wav'],
  flac: ['flac'],
  m4a: ['mp4'],
  ogg: ['ogg'],
  opus: ['ogg'],
};

export function sniffContainer(head: Uint8Array): Container | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (head.length >= 4 && ascii(0, 4) === 'fLaC') return 'flac';
  if (head.length >= 4 && ascii(0, 4) === 'OggS') return 'ogg';
  if (head.length >= 12 && ascii(4, 8) === 'ftyp') return 'mp4';
  if (head.length >= 3 && ascii(0, 3) === 'ID3') return 'mp3';
  if (head.length >= 4 && isMpegAudioFrame(head)) return 'mp3';
  return undefined;
}

/** An MPEG-1/2/2.5 Layer III frame header: 11 sync bits, a valid version, layer, bitrate and rate. */
function isMpegAudioFrame(h: Uint8Array): boolean {
  if (h[0] !== 0xff || (h[1] & 0xe0) !== 0xe0) return false;
  const version = (h[1] >> 3) & 0x03; // 01 is reserved
  const layer = (h[1] >> 1) & 0x03; // 00 is reserved
  const bitrate = (h[2] >> 4) & 0x0f; // 1111 is invalid
  const rate = (h[2] >> 2) & 0x03; // 11 is reserved
  return version !== 1 && layer !== 0 && bitrate !== 0x0f && rate !== 0x03;
}
