/**
 * @file Who retries what, and the one rule the stage runner follows.
 *
 * - The stage runner (pipeline/run-stage.ts) retries a stage's *transient* errors, with
 *   exponential backoff, up to the stage table's attempts. It is the only layer that retries a
 *   failure of the work itself.
 * - The queue (BullMQ attempts, stalled-job recovery) redelivers a task only when its process
 *   died or stopped (crash, stall, shutdown, the store unreachable while recording): a handler
 *   records every stage error itself, so the queue never sees one.
 * - The lost-task sweep (pipeline/requeue-sweep.ts) enqueues tasks that a job record says are
 *   due but no queue holds any more.
 * Tasks are idempotent, so a task delivered twice by two of these does no harm.
 */

import { AppError, CancelledError, InputError, TimeoutError, UnavailableError } from '../errors.js';
import type { StagePolicy } from './pipeline.js';

/**
 * Permanent errors are never retried:
 *  - InputError: the caller's input is wrong; another attempt reads the same input;
 *  - UnavailableError: the engine cannot run here (no model, offline);
 *  - CancelledError: the user or the job asked it to stop;
 *  - TimeoutError: the stage used its time limit (another attempt would most likely use it
 *    again, doubling a wait of up to half an hour) or the job's time is up.
 * Everything else is transient.
 */
export function isPermanent(err: unknown): boolean {
  return (
    err instanceof InputError ||
    err instanceof UnavailableError ||
    err instanceof CancelledError ||
    err instanceof TimeoutError
  );
}

/** What happens after a failed attempt. */
export type AfterFailure = 'retry' | 'failed' | 'unavailable' | 'cancelled';

export function afterFailure(
  err: unknown,
  attempt: number,
  policy: StagePolicy,
  aborted: boolean,
): AfterFailure {
  if (aborted || err instanceof CancelledError) return 'cancelled';
  if (!isPermanent(err) && attempt < policy.attempts) return 'retry';
  return err instanceof AppError && err.code === 'ENGINE_UNAVAILABLE' ? 'unavailable' : 'failed';
}

/** Delay before attempt `attempt + 1`: the policy's first delay, doubled each attempt. */
export function retryDelayMs(policy: StagePolicy, attempt: number): number {
  return policy.backoffMs * 2 ** (attempt - 1);
}
