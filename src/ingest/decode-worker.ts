import fs from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import type { PcmAudio } from '../audio/pcm.js';
import { decodeWav, encodeWav } from '../audio/wav.js';
import { writeFileAtomic } from '../storage/files.js';
import { decodeMix } from './decode.js';
import type { DecodeReply, DecodeRequest } from './decode-thread.js';

/** The thread side of DecodeThread: whole-song decoding, resampling and WAV coding, off the event loop. */
const port = parentPort;
if (!port) throw new Error('decode-worker must run in a worker thread');
const running = new Map<number, AbortController>();

port.on('message', (msg: DecodeRequest | { type: 'abort'; id: number }) => {
  if (msg.type === 'abort') {
    running.get(msg.id)?.abort();
    return;
  }
  const ac = new AbortController();
  running.set(msg.id, ac);
  void handle(msg, ac.signal)
    .then(
      (audio) => {
        const transfer = audio ? audio.channels.map((c) => c.buffer as ArrayBuffer) : [];
        port.postMessage({ id: msg.id, ok: true, audio } satisfies DecodeReply, transfer);
      },
      (err: unknown) =>
        port.postMessage({
          id: msg.id,
          ok: false,
          error: { name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) },
        } satisfies DecodeReply),
    )
    .finally(() => running.delete(msg.id));
});

async function handle(msg: DecodeRequest, signal: AbortSignal): Promise<PcmAudio | undefined> {
  switch (msg.type) {
    case 'mix':
      return decodeMix(msg.media, msg.file, msg.ext, { ...msg.opts, signal });
    case 'read-wav':
      return decodeWav(await fs.readFile(msg.file));
    case 'write-wav':
      await writeFileAtomic(msg.file, encodeWav(msg.audio, msg.format), { fsync: false });
      return undefined;
  }
}
