import fs from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { resample } from '../../audio/resample.js';
import { decodedSampleLimit, layoutProblem } from '../../ingest/limits.js';
import { flacDeclaredFrames, mp3DeclaredFrames, oggEndsCleanly } from '../../ingest/declared-length.js';
import type { DecodeReply, DecodeRequest, ProbeReport, WasmFormat } from './protocol.js';

/**
 * One decode on its own thread: reads the file, feeds it to the WebAssembly decoder in chunks
 * (so limits stop it early), checks the layout against AUDIO_LIMITS on the first output, and
 * posts back either a report (probe) or stereo PCM at the working rate (decode). A crash or a
 * runaway decode costs this thread only; the caller terminates it on abort or timeout.
 */
/**
 * Bytes fed to the decoder at a time. What one call returns grows with what it is fed, and
 * silence is a few bytes per thousands of samples in every one of these formats: a 256 KB chunk
 * of a FLAC of silence came back as 7 GB of float from one call, before any limit could look at
 * it. At 4 KB one call returns at most about 250 MB, and decoding is no slower.
 */
const CHUNK_BYTES = 4 * 1024;
/** The last Ogg page is at most 27 + 255 + 255 × 255 bytes. */
const OGG_TAIL_BYTES = 65_307;

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: unknown[];
}
interface StreamDecoder {
  ready: Promise<void>;
  decode(chunk: Uint8Array): Decoded | Promise<Decoded>;
  flush?(): Promise<Decoded>;
  free(): void;
}

async function openDecoder(format: WasmFormat): Promise<StreamDecoder> {
  switch (format) {
    case 'mp3':
      return new (await import('mpg123-decoder')).MPEGDecoder();
    case 'flac':
      return new (await import('@wasm-audio-decoders/flac')).FLACDecoder();
    case 'vorbis':
      return new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
    case 'opus':
      return new (await import('ogg-opus-decoder')).OggOpusDecoder();
  }
}

async function run(req: DecodeRequest): Promise<DecodeReply> {
  const bytes = new Uint8Array(await fs.readFile(req.file));
  const decoder = await openDecoder(req.format);
  await decoder.ready;
  const report: ProbeReport = { sampleRate: 0, channels: 0, frames: 0, tooLong: false, errorFrames: 0 };
  const parts: Float32Array[][] = [];
  let maxFrames = Infinity;
  const maxSamples = decodedSampleLimit(req.maxDurationS);
  const take = (d: Decoded): boolean => {
    report.errorFrames += d.errors.length;
    if (d.samplesDecoded === 0) return true;
    if (report.sampleRate === 0) {
      report.sampleRate = d.sampleRate;
      report.channels = d.channelData.length;
      report.layoutProblem = layoutProblem(report.channels, report.sampleRate);
      if (report.layoutProblem) return false;
      maxFrames = Math.ceil(req.maxDurationS * d.sampleRate);
    }
    const room = maxFrames - report.frames;
    const n = Math.min(d.samplesDecoded, room);
    if (req.mode === 'decode') parts.push(d.channelData.map((c) => c.slice(0, n)));
    report.frames += n;
    if (d.samplesDecoded > room) {
      report.tooLong = true;
      return false;
    }
    if (report.frames * report.channels > maxSamples) {
      report.tooManySamples = maxSamples;
      return false;
    }
    return true;
  };
  try {
    let going = true;
    for (let at = 0; going && at < bytes.length; at += CHUNK_BYTES)
      going = take(await decoder.decode(bytes.subarray(at, at + CHUNK_BYTES)));
    if (going && decoder.flush) take(await decoder.flush());
  } finally {
    decoder.free();
  }
  if (req.format === 'mp3') report.declaredFrames = mp3DeclaredFrames(bytes);
  if (req.format === 'flac') report.declaredFrames = flacDeclaredFrames(bytes);
  if (req.format === 'vorbis' || req.format === 'opus')
    report.endsCleanly = oggEndsCleanly(bytes.subarray(Math.max(0, bytes.length - OGG_TAIL_BYTES)));
  if (req.mode === 'probe' || report.layoutProblem || report.tooManySamples) return { type: 'probe', report };
  const rate = req.targetRate ?? report.sampleRate;
  const stereo = toStereo(joinParts(parts, report.channels, report.frames));
  const channels = stereo.map((c) => (rate === report.sampleRate ? c : resample(c, report.sampleRate, rate)));
  return { type: 'pcm', report, sampleRate: rate, channels };
}

function joinParts(parts: Float32Array[][], channels: number, frames: number): Float32Array[] {
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  let at = 0;
  for (const p of parts) {
    for (let c = 0; c < channels; c++) out[c].set(p[c] ?? p[0], at);
    at += p[0].length;
  }
  return out;
}

/** Mono is doubled; beyond stereo, the other channels are mixed into both sides at half level. */
function toStereo(ch: Float32Array[]): Float32Array[] {
  if (ch.length === 1) return [ch[0], ch[0].slice()];
  if (ch.length === 2) return ch;
  const [l, r] = [ch[0].slice(), ch[1].slice()];
  const rest = ch.slice(2);
  const gain = 0.5 / rest.length;
  for (const c of rest) {
    for (let i = 0; i < c.length; i++) {
      l[i] += gain * c[i];
      r[i] += gain * c[i];
    }
  }
  return [l, r];
}

const port = parentPort;
if (port) {
  run(workerData as DecodeRequest).then(
    (reply) => {
      const transfer = reply.type === 'pcm' ? reply.channels.map((c) => c.buffer as ArrayBuffer) : [];
      port.postMessage(reply, transfer);
    },
    (err: unknown) =>
      port.postMessage({
        type: 'error',
        message: err instanceof Error ? err.message : String(err),
      } satisfies DecodeReply),
  );
}
