import type { PcmAudio } from './pcm.js';

/**
 * RIFF/WAVE codec for planar float PCM.
 * Reads PCM 8/16/24/32-bit integer and IEEE float 32/64 (plain or WAVE_FORMAT_EXTENSIBLE).
 * Writes either 16-bit PCM (clipped, rounded) or 32-bit IEEE float (lossless for our data).
 */
export type WavSampleFormat = 's16' | 'f32';

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

export class WavFormatError extends Error {}

export function encodeWav(audio: PcmAudio, format: WavSampleFormat = 's16'): Buffer {
  const numCh = audio.channels.length;
  const n = audio.channels[0]?.length ?? 0;
  const bytesPerSample = format === 's16' ? 2 : 4;
  const dataBytes = n * numCh * bytesPerSample;
  const buf = Buffer.allocUnsafe(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(format === 's16' ? FORMAT_PCM : FORMAT_FLOAT, 20);
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
  } else {
    // byteOffset 44 is 4-aligned only if the Buffer's own offset is; copy through a view when not.
    const aligned = (buf.byteOffset + 44) % 4 === 0;
    const out = aligned ? new Float32Array(buf.buffer, buf.byteOffset + 44, n * numCh) : new Float32Array(n * numCh);
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

export function decodeWav(buf: Buffer): PcmAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: FmtChunk | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    let size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      let format = buf.readUInt16LE(body);
      if (format === FORMAT_EXTENSIBLE && size >= 26) format = buf.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      // Streams written by pipes may carry a 0 or 0xffffffff size: take what is there.
      if (size === 0 || size === 0xffffffff || body + size > buf.length) size = buf.length - body;
      return decodeSamples(buf.subarray(body, body + size), fmt);
    }
    pos = body + size + (size & 1);
  }
  throw new WavFormatError('no data chunk');
}

function decodeSamples(data: Buffer, fmt: FmtChunk): PcmAudio {
  const { channels: numCh, bitsPerSample: bits, format } = fmt;
  if (numCh < 1 || fmt.sampleRate < 1) throw new WavFormatError('invalid channel count or sample rate');
  const bytes = bits / 8;
  const frameBytes = bytes * numCh;
  if (!Number.isInteger(bytes) || frameBytes === 0) throw new WavFormatError(`unsupported bit depth ${bits}`);
  const n = Math.floor(data.length / frameBytes);
  const channels = Array.from({ length: numCh }, () => new Float32Array(n));
  const read = sampleReader(data, format, bits);
  for (let i = 0, off = 0; i < n; i++) {
    for (let c = 0; c < numCh; c++, off += bytes) channels[c][i] = read(off);
  }
  return { sampleRate: fmt.sampleRate, channels };
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
