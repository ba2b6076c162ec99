/**
 * @file The job store and queue of one run mode, picked at the composition root:
 * embedded (default) or distributed (REDIS_URL set).
 */

import type { JobQueue, QueueCounts, TaskName } from '../queue/job-queue.js';
import type { JobStore } from '../store/job-store.js';

export interface BackendHealth {
  mode: 'embedded' | 'distributed';
  ok: boolean;
  redis?: { connected: boolean; url: string; error?: string };
  /** Workers seen per queue name (distributed) or registered lanes (embedded). */
  workers: Record<string, number>;
  queues: Record<TaskName, QueueCounts>;
}

export interface Backends {
  mode: 'embedded' | 'distributed';
  store: JobStore;
  queue: JobQueue;
  health(): Promise<BackendHealth>;
  close(opts?: { abort?: boolean }): Promise<void>;
}
