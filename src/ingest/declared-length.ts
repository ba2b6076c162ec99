/**
 * How long a compressed file says it is, read from its own headers, so a decoder that simply
 * stops at the end of the bytes can still tell a file that was cut short:
 * - MP3: the frame count of a Xing/Info header (LAME and ffmpeg write one);
 * - FLAC: the total sample count in STREAMINFO;
 * - Ogg: a complete stream ends with a page flagged end-of-stream, exactly at the end of the file.
 * Pure functions on bytes; undefined when the file does not say.
 */

/** Samples per channel the MP3's Xing/Info header declares, or undefined without one. */
export function mp3DeclaredFrames(buf: Uint8Array): number | undefined {
  let pos = 0;
  if (buf.length >= 10 && buf[0] === 0x49 && buf[1] === 0x44 && buf[2] === 0x33) {
    // ID3v2: 10-byte header, synchsafe size.
    pos = 10 + ((buf[6] << 21) | (buf[7] << 14) | (buf[8] << 7) | buf[9]);
  }
  const limit = Math.min(buf.length - 4, pos + 64 * 1024);
  for (; pos < limit; pos++) {
    if (buf[pos] !== 0xff || (buf[pos + 1] & 0xe0) !== 0xe0) continue;
    const version = (buf[pos + 1] >> 3) & 0x03; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    const layer = (buf[pos + 1] >> 1) & 0x03; // 1 = Layer III
    if (version === 1 || layer !== 1) continue;
    const mono = buf[pos + 3] >> 6 === 3;
    const sideInfo = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
    const at = pos + 4 + sideInfo;
    if (at + 12 > buf.length) return undefined;
    const tag = String.fromCharCode(buf[at], buf[at + 1], buf[at + 2], buf[at + 3]);
    if (tag !== 'Xing' && tag !== 'Info') return undefined;
    const flags = readU32(buf, at + 4);
    if ((flags & 1) === 0) return undefined;
    const frames = readU32(buf, at + 8);
    return frames * (version === 3 ? 1152 : 576);
  }
  return undefined;
}

/** Samples per channel FLAC's STREAMINFO declares; undefined when it says 0 (unknown). */
export function flacDeclaredFrames(buf: Uint8Array): number | undefined {
  // "fLaC", then the STREAMINFO block header (4 bytes), then its body: total samples are the
  // low 36 bits of body bytes 10..17.
  if (buf.length < 8 + 18) return undefined;
  const b = 8 + 13;
  const total = (buf[b] & 0x0f) * 2 ** 32 + readU32(buf, b + 1);
  return total > 0 ? total : undefined;
}

/** True when the last Ogg page ends exactly at the end of the file and is flagged end-of-stream. */
export function oggEndsCleanly(tail: Uint8Array): boolean {
  for (let p = tail.length - 27; p >= 0; p--) {
    if (tail[p] !== 0x4f || tail[p + 1] !== 0x67 || tail[p + 2] !== 0x67 || tail[p + 3] !== 0x53) continue;
    const segments = tail[p + 26];
    if (p + 27 + segments > tail.length) continue;
    let body = 0;
    for (let i = 0; i < segments; i++) body += tail[p + 27 + i];
    if (p + 27 + segments + body !== tail.length) continue;
    return (tail[p + 5] & 0x04) !== 0;
  }
  return false;
}

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
}
