import { Worker } from 'node:worker_threads';
import { siblingUrl, workerEntry } from '../../pipeline/stage-thread.js';
import type { PcmAudio } from '../../audio/pcm.js';
import type { DecodeReply, DecodeRequest, ProbeReport, WasmFormat } from './protocol.js';

export type { ProbeReport, WasmFormat } from './protocol.js';

/**
 * MP3, FLAC, Ogg Vorbis and Opus decoded by WebAssembly builds of mpg123, libFLAC, libvorbis and
 * libopus (the wasm-audio-decoders family), each decode on a fresh worker thread: memory-safe
 * (a hostile file can at worst crash its own sandboxed instance), off the event loop, and
 * killable on abort or timeout. No subprocess, so no dependence on which ffmpeg is installed.
 */
export const WASM_DECODERS: Record<WasmFormat, string> = {
  mp3: 'mpg123-decoder',
  flac: '@wasm-audio-decoders/flac',
  vorbis: '@wasm-audio-decoders/ogg-vorbis',
  opus: 'ogg-opus-decoder',
};

const DEFAULT_TIMEOUT_MS = 600_000;

export class WasmDecodeError extends Error {
  constructor(
    message: string,
    readonly reason: 'failed' | 'timeout' | 'aborted',
  ) {
    super(message);
    this.name = 'WasmDecodeError';
  }
}

interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Decode the whole file without keeping samples: layout, length, errors, what the headers declare. */
export async function wasmProbe(
  file: string,
  format: WasmFormat,
  maxDurationS: number,
  opts: RunOptions = {},
): Promise<ProbeReport> {
  const reply = await runWorker({ file, format, mode: 'probe', maxDurationS }, opts);
  if (reply.type !== 'probe') throw new WasmDecodeError('unexpected reply from the decode thread', 'failed');
  return reply.report;
}

/** Decode to stereo float PCM at `sampleRate`, at most `maxDurationS` seconds of it. */
export async function wasmDecode(
  file: string,
  format: WasmFormat,
  sampleRate: number,
  maxDurationS: number,
  opts: RunOptions = {},
): Promise<{ audio: PcmAudio; report: ProbeReport }> {
  const reply = await runWorker({ file, format, mode: 'decode', maxDurationS, targetRate: sampleRate }, opts);
  if (reply.type === 'probe') {
    const { layoutProblem, tooManySamples } = reply.report;
    const why = tooManySamples ? `the audio decodes to more than ${tooManySamples} samples` : layoutProblem;
    throw new WasmDecodeError(why ?? 'the audio could not be decoded', 'failed');
  }
  if (reply.type !== 'pcm') throw new WasmDecodeError('unexpected reply from the decode thread', 'failed');
  return { audio: { sampleRate: reply.sampleRate, channels: reply.channels }, report: reply.report };
}

function runWorker(req: DecodeRequest, opts: RunOptions): Promise<DecodeReply> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new WasmDecodeError('decode aborted', 'aborted'));
      return;
    }
    const [entry, entryOpts] = workerEntry(siblingUrl(import.meta.url, 'worker'));
    const worker = new Worker(entry, { ...entryOpts, workerData: req });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () => finish(() => reject(new WasmDecodeError('decode aborted', 'aborted')));
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(
      () =>
        finish(() => reject(new WasmDecodeError(`decode took longer than ${timeoutMs / 1000} s`, 'timeout'))),
      timeoutMs,
    );
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: DecodeReply) =>
      finish(() =>
        msg.type === 'error' ? reject(new WasmDecodeError(msg.message, 'failed')) : resolve(msg),
      ),
    );
    worker.on('error', (err) => finish(() => reject(new WasmDecodeError(err.message, 'failed'))));
    worker.on('exit', (code) =>
      finish(() => reject(new WasmDecodeError(`the decode thread stopped (exit code ${code})`, 'failed'))),
    );
  });
}
