/**
 * @file The lost-task sweep, the safety net under BullMQ's own recovery: tasks can still be lost (a task that stalled more
 * often than BullMQ allows is dropped; a Redis restored from an old snapshot may lack queue
 * keys), which would leave a job `processing` forever. The sweep looks at unfinished jobs that
 * have not changed for a while and enqueues the tasks their record says they need. Enqueueing is
 * deduplicated by task id, so a task that is in fact waiting or running is left alone; only a
 * missing one is added again, and its handler resumes from the job record. Which tasks a record
 * says are due is the domain's rule (`neededTasks`).
 */

import type { Logger } from 'pino';
import { neededTasks } from '../domain/pipeline.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { JobStore } from '../store/job-store.js';

/** A job untouched for this long is checked (running stages write progress far more often). */
export const DEFAULT_STALE_MS = 120_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** Enqueue the needed tasks of unfinished jobs not updated since `now - staleMs`. Returns how many jobs were checked. */
export async function requeueStaleJobs(
  store: JobStore,
  queue: JobQueue,
  opts: { now?: Date; staleMs?: number; log?: Logger } = {},
): Promise<number> {
  const cutoff = (opts.now ?? new Date()).getTime() - (opts.staleMs ?? DEFAULT_STALE_MS);
  let checked = 0;
  for (const job of await store.listUnfinished()) {
    if (Date.parse(job.updated_at) > cutoff) continue;
    checked++;
    for (const name of neededTasks(job)) await queue.enqueue({ jobId: job.id, name });
  }
  if (checked > 0) opts.log?.info({ checked }, 'checked stale jobs for lost tasks');
  return checked;
}

/** Run the sweep every `intervalMs` until the returned function is called. */
export function startRequeueSweep(
  store: JobStore,
  queue: JobQueue,
  opts: { intervalMs?: number; staleMs?: number; log?: Logger } = {},
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = requeueStaleJobs(store, queue, opts).catch((err: unknown) =>
      opts.log?.warn({ err }, 'stale-job sweep failed'),
    );
  }, opts.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
