/**
 * @file Runs a CPU-heavy stage (model inference, long DSP) on its own worker thread, so the HTTP API,
 * progress events and the lighter stages keep the main event loop, and so two stages of a job
 * really run on two cores. The thread is started on first use and kept (engines cache their model
 * sessions in it); if it dies, the runs it had fail (and are retried by policy) and the next run
 * starts a new thread.
 */

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { StageContext, StageHandler, StageOutcome } from '../domain/stage.js';
import { AppError, isShutdown } from '../errors.js';
import type { FromWorker, ToWorker } from './thread-protocol.js';
import { reviveError, serialiseError } from './thread-protocol.js';

const ABORT_GRACE_MS = 3000;

interface Pending {
  resolve(o: StageOutcome): void;
  reject(e: Error): void;
  ctx: StageContext;
}

export class StageThread {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly moduleUrl: URL,
    private readonly exportName: string,
    private readonly log?: Logger,
  ) {}

  /** A StageHandler that runs this module's stage in the thread. */
  handler(): StageHandler {
    return (ctx) => this.run(ctx);
  }

  run(ctx: StageContext): Promise<StageOutcome> {
    const worker = this.ensureWorker(ctx);
    const id = this.nextId++;
    return new Promise<StageOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ctx });
      const onAbort = () => {
        worker.postMessage({ type: 'abort', id, shutdown: isShutdown(ctx.signal) } satisfies ToWorker);
        // A stage that ignores its signal is stopped the hard way.
        setTimeout(() => {
          if (this.pending.has(id) && this.worker === worker) void worker.terminate();
        }, ABORT_GRACE_MS).unref();
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
      const { config, options, jobId } = ctx;
      worker.postMessage({
        type: 'run',
        id,
        jobId,
        stage: this.exportName,
        storageDir: config.storageDir,
        options,
        config,
      } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private ensureWorker(ctx: StageContext): Worker {
    if (this.worker) return this.worker;
    const script = siblingUrl(import.meta.url, 'stage-thread-worker');
    const [entry, entryOpts] = workerEntry(script);
    const worker = new Worker(entry, {
      ...entryOpts,
      workerData: {
        moduleUrl: this.moduleUrl.href,
        exportName: this.exportName,
        logLevel: ctx.config.logLevel,
      },
    });
    worker.unref();
    worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    worker.on('error', (err) => this.failAll(worker, err));
    worker.on('exit', (code) =>
      this.failAll(
        worker,
        new AppError('STAGE_THREAD_EXIT', `the stage thread stopped (exit code ${code})`, 500),
      ),
    );
    this.worker = worker;
    return worker;
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'log') {
      this.forwardLog(msg.line);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'need-mix') {
      const worker = this.worker;
      p.ctx.loadMix().then(
        (audio) => worker?.postMessage({ type: 'mix', id: msg.id, audio } satisfies ToWorker),
        (err: unknown) => worker?.postMessage({ type: 'mix-error', id: msg.id, error: serialiseError(err) } satisfies ToWorker),
      );
    } else if (msg.type === 'progress') p.ctx.progress(msg.percent, msg.message);
    else {
      this.pending.delete(msg.id);
      if (msg.type === 'done') p.resolve(msg.outcome);
      else p.reject(reviveError(msg.error));
    }
  }

  private failAll(worker: Worker, err: Error): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(p.ctx.signal.aborted && p.ctx.signal.reason instanceof Error ? p.ctx.signal.reason : err);
    }
  }

  /** The thread's pino lines go out through the main logger (same destination and format). */
  private forwardLog(line: string): void {
    if (!this.log) return;
    try {
      const {
        level,
        msg,
        time: _t,
        pid: _p,
        hostname: _h,
        ...rest
      } = JSON.parse(line) as Record<string, unknown>;
      const name = this.log.levels.labels[Number(level)] ?? 'info';
      (this.log as unknown as Record<string, (o: object, m?: string) => void>)[name]?.(
        rest,
        typeof msg === 'string' ? msg : undefined,
      );
    } catch {
      this.log.info(line.trim());
    }
  }
}

/**
 * Built code starts the thread from its .js file. Run from TypeScript sources (dev, tests), the
 * thread first registers tsx's loader, which a --import flag of the parent does not carry into it.
 */
export function workerEntry(script: URL): [string | URL, { eval?: boolean }] {
  if (!script.pathname.endsWith('.ts')) return [script, {}];
  // tsx/esm/api resolves to its CommonJS build under require; the ESM build sits beside it.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script.href)}); })`;
  return [code, { eval: true }];
}

/** A module next to `from`, with the same extension (.ts when run from source, .js when built). */
export function siblingUrl(from: string, name: string): URL {
  const ext = from.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, from);
}
