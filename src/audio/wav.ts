/**
 * @file RIFF/WAVE codec for planar float PCM.
 * Reads PCM 8/16/24/32-bit integer and IEEE float 32/64 (plain or WAVE_FORMAT_EXTENSIBLE).
 * Writes 16- or 24-bit PCM (clipped, rounded) or 32-bit IEEE float (lossless for our data).
 */

import type { PcmAudio } from './pcm.js';

export type WavSampleFormat = 's16' | 's24' | 'f32';

const BYTES_PER_SAMPLE: { [F in WavSampleFormat]: number } = { s16: 2, s24: 3, f32: 4 };

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

export class WavFormatError extends Error {}

export function encodeWav(audio: PcmAudio, format: WavSampleFormat = 's16'): Buffer {
  const numCh = audio.channels.length;
  const n = audio.channels[0]?.length ?? 0;
  const bytesPerSample = BYTES_PER_SAMPLE[format];
  const dataBytes = n * numCh * bytesPerSample;
  const buf = Buffer.allocUnsafe(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(format === 'f32' ? FORMAT_FLOAT : FORMAT_PCM, 20);
  buf.writeUInt16LE(numCh, 22);
  buf.writeUInt32LE(audio.sampleRate, 24);
  buf.writeUInt32LE(audio.sampleRate * numCh * bytesPerSample, 28);
  buf.writeUInt16LE(numCh * bytesPerSample, 32);
  buf.writeUInt16LE(bytesPerSample * 8, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  if (format === 's16') {
    const out = new Int16Array(buf.buffer, buf.byteOffset + 44, n * numCh);
    for (let c = 0; c < numCh; c++) {
      const ch = audio.channels[c];
      for (let i = 0, j = c; i < n; i++, j += numCh) {
        const v = ch[i] * 32768; // the same scale as decoding, so a round trip has no gain error
        out[j] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
      }
    }
  } else if (format === 's24') {
    const frame = numCh * 3;
    for (let c = 0; c < numCh; c++) {
      const ch = audio.channels[c];
      for (let i = 0, o = 44 + c * 3; i < n; i++, o += frame) {
        const v = ch[i] * 8388608; // 2^23: the scale decodeWav divides by
        const q = v >= 8388607 ? 8388607 : v <= -8388608 ? -8388608 : Math.round(v);
        // Three little-endian bytes by hand: Buffer.writeIntLE per sample cost 3× the float path.
        buf[o] = q & 0xff;
        buf[o + 1] = (q >> 8) & 0xff;
        buf[o + 2] = (q >> 16) & 0xff;
      }
    }
  } else {
    // byteOffset 44 is 4-aligned only if the Buffer's own offset is; copy through a view when not.
    const aligned = (buf.byteOffset + 44) % 4 === 0;
    const out = aligned
      ? new Float32Array(buf.buffer, buf.byteOffset + 44, n * numCh)
      : new Float32Array(n * numCh);
    for (let c = 0; c < numCh; c++) {
      const ch = audio.channels[c];
      for (let i = 0, j = c; i < n; i++, j += numCh) out[j] = ch[i];
    }
    if (!aligned) Buffer.from(out.buffer).copy(buf, 44);
  }
  return buf;
}

interface FmtChunk {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

export interface WavInfo extends FmtChunk {
  dataOffset: number;
  /** Bytes of sample data present in `buf` (a streamed file's 0/0xffffffff size means "to the end"). */
  dataBytes: number;
  /** What the header declares, when it declares a size. */
  declaredDataBytes?: number;
  durationS: number;
}

/** Parse the RIFF chunks up to the data chunk; `buf` may be just the head of the file if `fileSize` is given. */
export function wavInfo(buf: Buffer, fileSize = buf.length): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: FmtChunk | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (body + 16 > buf.length) break;
      let format = buf.readUInt16LE(body);
      if (format === FORMAT_EXTENSIBLE && size >= 26 && body + 26 <= buf.length)
        format = buf.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      const streamed = size === 0 || size === 0xffffffff;
      const present = fileSize - body;
      const dataBytes = streamed ? present : Math.min(size, present);
      const frameBytes = (fmt.bitsPerSample / 8) * fmt.channels;
      const durationS =
        frameBytes > 0 && fmt.sampleRate > 0 ? Math.floor(dataBytes / frameBytes) / fmt.sampleRate : 0;
      return {
        ...fmt,
        dataOffset: body,
        dataBytes,
        ...(streamed ? {} : { declaredDataBytes: size }),
        durationS,
      };
    }
    pos = body + size + (size & 1);
  }
  throw new WavFormatError('no data chunk');
}

/** Whether decodeWav reads this encoding (PCM 8/16/24/32, float 32/64). */
export function isNativeWav(info: FmtChunk): boolean {
  if (info.format === FORMAT_PCM) return [8, 16, 24, 32].includes(info.bitsPerSample);
  return info.format === FORMAT_FLOAT && (info.bitsPerSample === 32 || info.bitsPerSample === 64);
}

export function decodeWav(buf: Buffer): PcmAudio {
  const info = wavInfo(buf);
  return decodeSamples(buf.subarray(info.dataOffset, info.dataOffset + info.dataBytes), info);
}

function decodeSamples(data: Buffer, fmt: FmtChunk): PcmAudio {
  const { channels: numCh, bitsPerSample: bits, format } = fmt;
  if (numCh < 1 || fmt.sampleRate < 1) throw new WavFormatError('invalid channel count or sample rate');
  const bytes = bits / 8;
  const frameBytes = bytes * numCh;
  if (!Number.isInteger(bytes) || frameBytes === 0) throw new WavFormatError(`unsupported bit depth ${bits}`);
  const n = Math.floor(data.length / frameBytes);
  const channels = Array.from({ length: numCh }, () => new Float32Array(n));
  // The common encodings go through typed-array views (a tight loop); the rest sample by sample.
  if (format === FORMAT_PCM && bits === 16) {
    deinterleave(typedView(data, n * numCh, Int16Array), channels, 1 / 32768);
  } else if (format === FORMAT_FLOAT && bits === 32) {
    deinterleave(typedView(data, n * numCh, Float32Array), channels, 1);
  } else {
    const read = sampleReader(data, format, bits);
    for (let i = 0, off = 0; i < n; i++) {
      for (let c = 0; c < numCh; c++, off += bytes) channels[c][i] = read(off);
    }
  }
  return { sampleRate: fmt.sampleRate, channels };
}

type View = Int16Array | Float32Array;

/** A little-endian view of `count` samples (copied when the bytes are not aligned for the type). */
function typedView<T extends View>(
  data: Buffer,
  count: number,
  Type: { new (b: ArrayBufferLike, o: number, l: number): T; BYTES_PER_ELEMENT: number },
): T {
  const bytes = count * Type.BYTES_PER_ELEMENT;
  if (data.byteOffset % Type.BYTES_PER_ELEMENT === 0) return new Type(data.buffer, data.byteOffset, count);
  const copy = new Uint8Array(bytes);
  copy.set(data.subarray(0, bytes));
  return new Type(copy.buffer, 0, count);
}

function deinterleave(src: View, channels: Float32Array[], scale: number): void {
  const numCh = channels.length;
  for (let c = 0; c < numCh; c++) {
    const ch = channels[c];
    for (let i = 0, j = c; i < ch.length; i++, j += numCh) ch[i] = src[j] * scale;
  }
}

function sampleReader(d: Buffer, format: number, bits: number): (off: number) => number {
  if (format === FORMAT_PCM) {
    switch (bits) {
      case 8:
        return (o) => (d[o] - 128) / 128;
      case 16:
        return (o) => d.readInt16LE(o) / 32768;
      case 24:
        return (o) => d.readIntLE(o, 3) / 8388608;
      case 32:
        return (o) => d.readInt32LE(o) / 2147483648;
    }
  } else if (format === FORMAT_FLOAT) {
    if (bits === 32) return (o) => d.readFloatLE(o);
    if (bits === 64) return (o) => d.readDoubleLE(o);
  }
  throw new WavFormatError(`unsupported WAV encoding (format ${format}, ${bits} bits)`);
}
