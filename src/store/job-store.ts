/**
 * @file Where job records live. Two implementations: FileJobStore (embedded mode, one job.json per
 * job directory) and RedisJobStore (distributed mode, hash `job:{id}`). The same contract
 * suite (test/contract/job-store.contract.ts) runs against both.
 *
 * What the contract leaves out: records are plain JSON (no Dates, no class instances);
 * `update` is atomic per job (no lost update when two stages finish at once) but there is
 * no transaction across jobs; listeners may be called from another process's change
 * (distributed) and may see coalesced updates, but always see the latest record.
 */

import type { JobRecord } from '../domain/job.js';

export type JobMutator = (job: JobRecord) => void | false;
export type JobListener = (job: JobRecord) => void;

export interface ListOptions {
  limit: number;
  offset?: number;
  /** Only jobs with this owner (the hash of the creating key); `total` counts only those. */
  owner?: string;
}

export interface JobStore {
  create(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /**
   * Atomically read, mutate and write one job. The mutator works on a copy; returning `false`
   * skips the write. Sets `updated_at`. Returns the stored record, or undefined if there is no such job.
   */
  update(id: string, mutate: JobMutator): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(opts: ListOptions): Promise<{ jobs: JobRecord[]; total: number }>;
  /** Jobs not in a terminal state (for recovery after a restart). */
  listUnfinished(): Promise<JobRecord[]>;
  /** Ids of terminal jobs that finished (or were last updated) before `before`. */
  listExpired(before: Date): Promise<string[]>;
  delete(id: string): Promise<void>;
  /** Called after every stored change of that job. Returns an unsubscribe function. */
  subscribe(id: string, listener: JobListener): () => void;
  /** Whether the backing service answers (always true for files). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
