import fs from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { PcmAudio } from '../audio/pcm.js';
import { decodeWav, encodeWav, type WavSampleFormat } from '../audio/wav.js';
import { writeFileAtomic } from '../storage/files.js';
import type { MediaTools } from '../infra/ffmpeg.js';
import { siblingUrl, workerEntry } from '../pipeline/stage-thread.js';
import { decodeMix, type DecodeMixOptions } from './decode.js';

/**
 * Whole-song audio work (decoding a song, resampling it, reading and writing work/mix.wav) on a
 * worker thread, so an upload never blocks the event loop: a 500 s WAV resampled on the main
 * thread held /health for ~20 s. One thread per process, started on first use and kept; it is
 * unref'd, so it never keeps the process alive. Samples come back as transferred buffers.
 */
export type DecodeRequest =
  | {
      type: 'mix';
      id: number;
      media: MediaTools;
      file: string;
      ext: string;
      opts: Omit<DecodeMixOptions, 'signal'>;
    }
  | { type: 'read-wav'; id: number; file: string }
  | { type: 'write-wav'; id: number; file: string; audio: PcmAudio; format: WavSampleFormat };

export type DecodeReply =
  | { id: number; ok: true; audio: PcmAudio | undefined }
  | { id: number; ok: false; error: { name: string; message: string } };

/**
 * WAV files up to this size are decoded in place: without in-process resampling (decode.ts leaves
 * that to ffmpeg) that is a copy of at most a few million samples, a few milliseconds, and it
 * spares short songs (and tests) the thread's start-up.
 */
const INLINE_MAX_BYTES = 4 * 1024 * 1024;

type Pending = { resolve: (a: PcmAudio | undefined) => void; reject: (e: Error) => void };

export class DecodeThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  async decodeMix(media: MediaTools, file: string, ext: string, opts: DecodeMixOptions): Promise<PcmAudio> {
    // A compressed file's decoded size is many times its own: only small WAVs are decoded here.
    if (ext === 'wav' && (await small(file))) return decodeMix(media, file, ext, opts);
    const { signal, ...rest } = opts;
    return this.call({ type: 'mix', media, file, ext, opts: rest }, signal) as Promise<PcmAudio>;
  }

  async readWav(file: string): Promise<PcmAudio> {
    if (await small(file)) return decodeWav(await fs.readFile(file));
    return this.call({ type: 'read-wav', file }) as Promise<PcmAudio>;
  }

  /** Writes atomically (no fsync: scratch data). The samples are copied, the caller keeps its arrays. */
  async writeWav(file: string, audio: PcmAudio, format: WavSampleFormat): Promise<void> {
    const bytes = (audio.channels[0]?.length ?? 0) * audio.channels.length * 4;
    if (bytes <= INLINE_MAX_BYTES) return writeFileAtomic(file, encodeWav(audio, format), { fsync: false });
    await this.call({ type: 'write-wav', file, audio, format });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private call(
    req: DistributiveOmit<DecodeRequest, 'id'>,
    signal?: AbortSignal,
  ): Promise<PcmAudio | undefined> {
    if (signal?.aborted)
      return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const id = this.nextId++;
    const worker = this.thread();
    return new Promise((resolve, reject) => {
      const onAbort = () => worker.postMessage({ type: 'abort', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (a) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(a);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      worker.postMessage({ ...req, id } as DecodeRequest);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const [entry, opts] = workerEntry(siblingUrl(import.meta.url, 'decode-worker'));
    const worker = new Worker(entry, opts);
    worker.unref();
    worker.on('message', (msg: DecodeReply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.audio);
      else p.reject(Object.assign(new Error(msg.error.message), { name: msg.error.name }));
    });
    const failAll = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the decode thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

async function small(file: string): Promise<boolean> {
  const st = await fs.stat(file);
  return st.size <= INLINE_MAX_BYTES;
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
