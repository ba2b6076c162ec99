/**
 * @file The thread side of StageThread: builds the stage handler once (so engines may keep model
 * sessions between jobs), runs requests, and reports progress, logs and outcomes as messages.
 */

import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { PcmAudio } from '../audio/pcm.js';
import type { StageContext, StageHandler } from '../domain/stage.js';
import { CancelledError, ShutdownError } from '../errors.js';
import { jobFileWriter } from '../storage/files.js';
import { jobPaths } from '../storage/paths.js';
import type { FromWorker, RunRequest, ToWorker } from './thread-protocol.js';
import { reviveError, serialiseError } from './thread-protocol.js';

interface ThreadData {
  moduleUrl: string;
  exportName: string;
  logLevel: string;
}

const port = parentPort;
if (!port) throw new Error('stage-thread-worker must run in a worker thread');
const data = workerData as ThreadData;
const post = (m: FromWorker) => port.postMessage(m);

const log = pino({ level: data.logLevel }, { write: (line: string) => post({ type: 'log', line }) });
const mod = (await import(data.moduleUrl)) as Record<string, () => StageHandler>;
const factory = mod[data.exportName];
if (typeof factory !== 'function') throw new Error(`${data.moduleUrl} has no ${data.exportName}()`);
const handler = factory();
const running = new Map<number, AbortController>();

/** Mixes asked of the main thread, which holds the decoded copy. */
const mixRequests = new Map<number, { resolve(a: PcmAudio): void; reject(e: Error): void }>();

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'abort':
      running.get(msg.id)?.abort(msg.shutdown ? new ShutdownError() : new CancelledError());
      return;
    case 'mix':
      mixRequests.get(msg.id)?.resolve(msg.audio);
      mixRequests.delete(msg.id);
      return;
    case 'mix-error':
      mixRequests.get(msg.id)?.reject(reviveError(msg.error));
      mixRequests.delete(msg.id);
      return;
    case 'run':
      void run(msg);
      return;
  }
});

function requestMix(id: number): Promise<PcmAudio> {
  return new Promise((resolve, reject) => {
    mixRequests.set(id, { resolve, reject });
    post({ type: 'need-mix', id });
  });
}

async function run(req: RunRequest): Promise<void> {
  const ctrl = new AbortController();
  running.set(req.id, ctrl);
  const paths = jobPaths(req.storageDir, req.jobId);
  let mix: Promise<PcmAudio> | undefined;
  const ctx: StageContext = {
    jobId: req.jobId,
    paths,
    options: req.options,
    config: req.config,
    signal: ctrl.signal,
    log: log.child({ jobId: req.jobId, stage: req.stage }),
    progress: (percent, message) => post({ type: 'progress', id: req.id, percent, message }),
    loadMix: () => (mix ??= requestMix(req.id)),
    write: jobFileWriter(paths),
  };
  try {
    const outcome = await handler(ctx);
    post({ type: 'done', id: req.id, outcome });
  } catch (err) {
    post({
      type: 'error',
      id: req.id,
      error: serialiseError(
        ctrl.signal.aborted && ctrl.signal.reason instanceof Error ? ctrl.signal.reason : err,
      ),
    });
  } finally {
    running.delete(req.id);
  }
}
