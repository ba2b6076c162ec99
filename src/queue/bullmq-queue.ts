import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DelayedError, type Job, Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { STAGE_POLICIES } from '../domain/pipeline.js';
import { CancelledError, isShutdown, ShutdownError } from '../errors.js';
import { bullmqConnection, createRedisClient, guardRedis, withRedisTimeout } from '../infra/redis.js';
import { isJobId } from '../storage/paths.js';
import type { JobQueue, QueueCounts, Task, TaskHandler, TaskName } from './job-queue.js';
import { isStageTask, QUEUE_NAMES, TASK_NAMES } from './job-queue.js';

export interface BullmqQueueOptions {
  url: string;
  /** BullMQ key prefix ('bull' in production); tests use a random one so they never collide. */
  prefix?: string;
  log?: Logger;
  /**
   * How long a worker's lock on a running task lasts without renewal. A worker that dies
   * (kill -9, machine lost) loses its tasks to another worker after about this long.
   */
  lockDurationMs?: number;
  /** How often workers look for stalled tasks (defaults to half the lock duration). */
  stalledIntervalMs?: number;
}

/** BullMQ-level attempts: they only matter when a handler throws (a crash, Redis gone mid-task); stage retries happen inside. */
export const QUEUE_ATTEMPTS = 3;
/** How often a task may be found stalled (its worker died) and be handed to another worker. */
export const MAX_STALLED = 2;
const DEFAULT_LOCK_MS = 30_000;
const ORCHESTRATION_BACKOFF_MS = 1000;
/** A task this worker has no handler for goes back to the queue after this delay, for another worker. */
const NOT_MINE_DELAY_MS = 1000;
const DEFAULT_PREFIX = 'bull';
const CANCEL_CHANNEL = 'karaoke:cancel';

interface TaskData {
  jobId: string;
}

interface Running {
  task: Task;
  ctrl: AbortController;
}

/** BullMQ ids may not contain ':', so the contract's `${jobId}:${name}` becomes `${jobId}.${name}`. */
export function bullJobId(task: Task): string {
  return `${task.jobId}.${task.name}`;
}

/**
 * The task a queued message is, or undefined for one this service never enqueues: a task name
 * of this queue (QUEUE_NAMES) and data `{ jobId: <a job id> }`.
 */
function taskOf(job: Job<TaskData>): TaskName | undefined {
  const name = job.name as TaskName;
  if (!(TASK_NAMES as readonly string[]).includes(name) || QUEUE_NAMES[name] !== job.queueName)
    return undefined;
  const data = job.data as Partial<TaskData> | null | undefined;
  return typeof data?.jobId === 'string' && isJobId(data.jobId) ? name : undefined;
}

function taskFromId(id: string): TaskName | undefined {
  const name = id.slice(id.lastIndexOf('.') + 1);
  return (TASK_NAMES as readonly string[]).includes(name) ? (name as TaskName) : undefined;
}

/**
 * Distributed-mode queue: BullMQ queues `audio_processing` (prepare, assemble),
 * `stem_separation`, `beat_analysis`, `transcription`. The BullMQ job name is the task name and
 * the job id is deterministic (`{jobId}.{task}`), so a task that is already waiting or running
 * is not added twice; finished tasks are removed at once, so a task can be enqueued again later
 * (recovery after a restart).
 *
 * A worker that dies mid-task stops renewing its lock: after `lockDurationMs` another worker's
 * stalled check puts the task back and it runs again (handlers are idempotent). Cancellation
 * removes waiting tasks and is broadcast on `karaoke:cancel` to abort running ones anywhere.
 * Closing with `abort` aborts running tasks with a ShutdownError; a handler that then throws
 * has its task handed back (moved to waiting), so another worker picks it up straight away.
 */
export class BullmqQueue implements JobQueue {
  private readonly prefix: string;
  private readonly queues = new Map<string, Queue<TaskData>>();
  private readonly workers = new Map<string, Worker<TaskData>>();
  private readonly handlers = new Map<TaskName, TaskHandler>();
  private readonly running = new Map<string, Running>();
  private cancelSub: Redis | undefined;
  private cancelReady: Promise<unknown> = Promise.resolve();
  private publisher: Redis | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  /** How this process's workers appear in CLIENT LIST (and so in /health): host, pid, instance. */
  private readonly workerName = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 4)}`;

  constructor(private readonly opts: BullmqQueueOptions) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
  }

  private queue(name: string): Queue<TaskData> {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue<TaskData>(name, {
        connection: {
          ...bullmqConnection(this.opts.url),
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
        },
        prefix: this.prefix,
      });
      q.on('error', (err) => this.opts.log?.debug({ err, queue: name }, 'queue connection error'));
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueue(task: Task): Promise<void> {
    if (this.closing) return;
    const backoff = isStageTask(task.name) ? STAGE_POLICIES[task.name].backoffMs : ORCHESTRATION_BACKOFF_MS;
    await withRedisTimeout(
      this.queue(QUEUE_NAMES[task.name]).add(
        task.name,
        { jobId: task.jobId },
        {
          jobId: bullJobId(task),
          attempts: QUEUE_ATTEMPTS,
          backoff: { type: 'exponential', delay: backoff },
          removeOnComplete: true,
          removeOnFail: true,
        },
      ),
    );
  }

  work(name: TaskName, concurrency: number, handler: TaskHandler): void {
    if (this.handlers.has(name)) throw new Error(`a handler for ${name} is already registered`);
    const n = Math.max(1, concurrency);
    this.handlers.set(name, handler);
    this.listenForCancels();
    const queueName = QUEUE_NAMES[name];
    const existing = this.workers.get(queueName);
    if (existing) {
      // prepare and assemble share audio_processing: one worker serves both.
      existing.concurrency = existing.concurrency + n;
      return;
    }
    const lockDuration = this.opts.lockDurationMs ?? DEFAULT_LOCK_MS;
    const worker = new Worker<TaskData>(queueName, (job, token) => this.process(job, token), {
      connection: bullmqConnection(this.opts.url),
      prefix: this.prefix,
      concurrency: n,
      name: this.workerName,
      lockDuration,
      stalledInterval: this.opts.stalledIntervalMs ?? Math.max(1000, Math.floor(lockDuration / 2)),
      maxStalledCount: MAX_STALLED,
      // A message that sets no removal of its own (not one of ours: see process) is not kept either.
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    });
    worker.on('error', (err) => this.opts.log?.debug({ err, queue: queueName }, 'worker connection error'));
    worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= QUEUE_ATTEMPTS) {
        this.opts.log?.error(
          { err, bullJobId: job.id, queue: queueName },
          'task dropped after its last attempt',
        );
      }
    });
    worker.on('stalled', (id) =>
      this.opts.log?.warn({ bullJobId: id, queue: queueName }, 'task stalled; handed to another worker'),
    );
    this.workers.set(queueName, worker);
  }

  private async process(job: Job<TaskData>, token: string | undefined): Promise<void> {
    const name = taskOf(job);
    if (name === undefined) {
      // Anyone who can write to Redis can add a message. One with a name no worker takes was
      // delayed for "another worker" every second, for ever; one without a job id reached the
      // handler with `undefined` as the id. Dropped, once, with what it was.
      this.opts.log?.error(
        { bullJobId: job.id, queue: job.queueName, name: job.name, data: job.data as unknown },
        'a message that is not a task of this service; dropped',
      );
      throw new UnrecoverableError('not a task of this service');
    }
    const handler = this.handlers.get(name);
    if (!handler) {
      // This process serves audio_processing for one of its two task kinds only: leave it to another.
      await job.moveToDelayed(Date.now() + NOT_MINE_DELAY_MS, token);
      throw new DelayedError();
    }
    const task: Task = { jobId: job.data.jobId, name };
    // A cancel broadcast sent before this process listens would be missed: start work only once it listens.
    await this.cancelReady;
    const ctrl = new AbortController();
    const id = job.id ?? bullJobId(task);
    this.running.set(id, { task, ctrl });
    let failure: unknown;
    try {
      await handler(task, ctrl.signal);
    } catch (err) {
      failure = err;
    } finally {
      this.running.delete(id);
    }
    if (failure !== undefined && isShutdown(ctrl.signal)) {
      await job.moveToWait(token);
      this.opts.log?.info({ jobId: task.jobId, task: name }, 'task handed back to the queue on shutdown');
      throw new WaitingError();
    }
    if (failure !== undefined) {
      this.opts.log?.error({ err: failure, jobId: task.jobId, task: name }, 'task handler threw');
      throw failure;
    }
  }

  private listenForCancels(): void {
    if (this.cancelSub) return;
    const sub = createRedisClient(this.opts.url, 'subscriber', 'karaoke:cancel-listener');
    sub.on('message', (_channel: string, jobId: string) => this.abortLocal(jobId));
    sub
      .subscribe(this.cancelChannel())
      .catch((err: unknown) => this.opts.log?.warn({ err }, 'cancel subscription failed'));
    this.cancelSub = sub;
  }

  private cancelChannel(): string {
    return `${this.prefix}:${CANCEL_CHANNEL}`;
  }

  private abortLocal(jobId: string): void {
    for (const r of this.running.values()) if (r.task.jobId === jobId) r.ctrl.abort(new CancelledError());
  }

  async cancelJob(jobId: string): Promise<void> {
    for (const name of TASK_NAMES) {
      const q = this.queue(QUEUE_NAMES[name]);
      const job = await withRedisTimeout(q.getJob(bullJobId({ jobId, name })));
      if (!job) continue;
      const state = await withRedisTimeout(job.getState());
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        // It may have become active meanwhile (the lock makes remove fail): the broadcast below covers that.
        await withRedisTimeout(job.remove()).catch(() => undefined);
      }
    }
    this.abortLocal(jobId);
    this.publisher ??= createRedisClient(this.opts.url, 'command', 'karaoke:cancel-publisher');
    const pub = this.publisher;
    await guardRedis(() => pub.publish(this.cancelChannel(), jobId), pub);
  }

  async counts(): Promise<Record<TaskName, QueueCounts>> {
    const out = {} as Record<TaskName, QueueCounts>;
    for (const name of TASK_NAMES) out[name] = { waiting: 0, active: 0 };
    const byQueue = new Map<string, TaskName[]>();
    for (const name of TASK_NAMES)
      byQueue.set(QUEUE_NAMES[name], [...(byQueue.get(QUEUE_NAMES[name]) ?? []), name]);
    await Promise.all(
      [...byQueue].map(async ([queueName, tasks]) => {
        const q = this.queue(queueName);
        if (tasks.length === 1) {
          const c = await withRedisTimeout(
            q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused'),
          );
          out[tasks[0]] = { waiting: c.waiting + c.delayed + c.prioritized + c.paused, active: c.active };
          return;
        }
        // Several task kinds share this queue: tell them apart by the suffix of their ids.
        const [waiting, active] = await Promise.all([
          withRedisTimeout(q.getRanges(['waiting', 'delayed', 'prioritized', 'paused'], 0, -1)),
          withRedisTimeout(q.getRanges(['active'], 0, -1)),
        ]);
        for (const id of waiting) {
          const t = taskFromId(id);
          if (t) out[t].waiting++;
        }
        for (const id of active) {
          const t = taskFromId(id);
          if (t) out[t].active++;
        }
      }),
    );
    return out;
  }

  /** Distinct worker processes seen per queue name (from Redis CLIENT LIST, as BullMQ reports them). */
  async workerCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const queueName of new Set(Object.values(QUEUE_NAMES))) {
      const clients = await withRedisTimeout(this.queue(queueName).getWorkers());
      // BullMQ shortens `name`; `rawname` carries the worker name, which is unique per process.
      out[queueName] = new Set(clients.map((c) => c.rawname ?? c.name)).size;
    }
    return out;
  }

  /**
   * Stop taking tasks. Without `abort`, wait for running tasks to finish. With `abort`, abort
   * their signals (reason: ShutdownError) and hand back those that did not finish.
   */
  async close(opts: { abort?: boolean } = {}): Promise<void> {
    if (opts.abort) for (const r of this.running.values()) r.ctrl.abort(new ShutdownError());
    this.closed ??= this.shutdown();
    await this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    const workers = [...this.workers.values()];
    await Promise.allSettled(workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    for (const c of [this.cancelSub, this.publisher]) c?.disconnect();
  }
}
