/**
 * @file Work queue for one job's tasks. Two implementations: EmbeddedQueue (in-process, default)
 * and BullMQ (distributed mode, one queue per task kind). The same contract suite
 * (test/contract/job-queue.contract.ts) runs against both.
 *
 * Delivery is at-least-once: a handler may see a task again after a crash, so handlers are
 * idempotent (they look at the job record first). A task id is `${jobId}:${name}`: enqueueing
 * a task that is already waiting or running is a no-op (retries and double submits dedupe).
 * Retries of a failing stage happen inside the stage runner, not in the queue (who retries
 * what: domain/retry.ts).
 */

import type { TaskName } from '../domain/pipeline.js';

export { isStageTask, TASK_NAMES, type TaskName } from '../domain/pipeline.js';

/** Queue names in distributed mode (the design's names). */
export const QUEUE_NAMES: { readonly [T in TaskName]: string } = {
  prepare: 'audio_processing',
  assemble: 'audio_processing',
  separation: 'stem_separation',
  beats: 'beat_analysis',
  transcription: 'transcription',
};

export interface Task {
  jobId: string;
  name: TaskName;
}

export function taskId(task: Task): string {
  return `${task.jobId}:${task.name}`;
}

export type TaskHandler = (task: Task, signal: AbortSignal) => Promise<void>;

export interface QueueCounts {
  waiting: number;
  active: number;
}

export interface JobQueue {
  enqueue(task: Task): Promise<void>;
  /** Start processing tasks of one kind in this process with the given concurrency. */
  work(name: TaskName, concurrency: number, handler: TaskHandler): void;
  /** Drop waiting tasks of a job and abort the signals of its running tasks. */
  cancelJob(jobId: string): Promise<void>;
  counts(): Promise<Record<TaskName, QueueCounts>>;
  /** Stop taking new work; abort running work if `abort`, then wait for it to settle. */
  close(opts?: { abort?: boolean }): Promise<void>;
}
