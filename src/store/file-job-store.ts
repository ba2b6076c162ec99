import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import type { JobRecord } from '../domain/job.js';
import { isTerminalJob } from '../domain/job.js';
import path from 'node:path';
import { moveInto, removeTree, writeJsonAtomic } from '../storage/files.js';
import { isJobId, jobPaths, jobsRoot } from '../storage/paths.js';
import { removeTempFiles } from '../storage/temp-files.js';
import { corruptRecord, recordProblem } from './record-check.js';
import type { JobListener, JobMutator, JobStore, ListOptions } from './job-store.js';
import { KeyedSerial } from './keyed-serial.js';

/**
 * Embedded-mode job store: `storage/jobs/{id}/job.json`, written atomically (temp + rename),
 * with every record also held in memory. A restart (even after kill -9) reloads every job
 * directory; a torn write can only leave a stray temp file, never a half-written job.json.
 * Updates of one job are serialised through a promise chain, so concurrent stage
 * completions never lose each other's changes.
 */
export class FileJobStore implements JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly serial = new KeyedSerial();
  private readonly events = new EventEmitter();

  private constructor(
    private readonly storageDir: string,
    private readonly fsync: boolean,
  ) {
    this.events.setMaxListeners(0);
  }

  /** `fsync: false` for throw-away stores (the CLI's scratch store): faster, not crash-durable. */
  static async open(storageDir: string, log?: Logger, opts: { fsync?: boolean } = {}): Promise<FileJobStore> {
    const store = new FileJobStore(storageDir, opts.fsync !== false);
    await store.load(log);
    return store;
  }

  /**
   * Reads every job directory. Temp files of writes a crash interrupted are removed (only this
   * process writes here). A job.json that is missing, truncated or of the wrong shape is
   * quarantined: renamed to job.corrupt.json and shown as a `corrupt` job that can be deleted;
   * start-up goes on.
   */
  private async load(log?: Logger): Promise<void> {
    const root = jobsRoot(this.storageDir);
    await fs.mkdir(root, { recursive: true });
    for (const id of await fs.readdir(root)) {
      if (!isJobId(id)) continue;
      const paths = jobPaths(this.storageDir, id);
      const st = await fs.lstat(paths.dir).catch(() => undefined);
      if (!st?.isDirectory()) continue;
      await removeTempFiles(paths.dir);
      const { job, raw, reason } = await this.readRecord(paths.jobJson, paths.dir, id);
      if (job) {
        this.jobs.set(id, job);
        continue;
      }
      const corrupt = corruptRecord(id, reason, st.mtime, {
        fileExt: await originalExt(paths.dir),
        owner: (raw as { owner?: unknown } | undefined)?.owner,
      });
      await moveInto(paths.jobJson, quarantinePath(paths.dir), { replace: true }).catch(() => undefined);
      this.jobs.set(id, corrupt);
      log?.warn({ jobId: id, reason }, 'job record quarantined as corrupt');
    }
  }

  private async readRecord(
    file: string,
    dir: string,
    id: string,
  ): Promise<{ job?: JobRecord; raw?: unknown; reason: string }> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      // Quarantined by an earlier start: still corrupt.
      const old = await fs.readFile(quarantinePath(dir), 'utf8').catch(() => undefined);
      if (old === undefined) return { reason: 'the job has no job.json' };
      text = old;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { reason: 'job.json is not valid JSON (truncated?)' };
    }
    const problem = recordProblem(raw, id);
    if (problem) return { raw, reason: problem };
    return { job: raw as JobRecord, raw, reason: '' };
  }

  async create(job: JobRecord): Promise<void> {
    if (this.jobs.has(job.id)) throw new Error(`job ${job.id} exists`);
    await this.serial.run(job.id, async () => {
      await writeJsonAtomic(jobPaths(this.storageDir, job.id).jobJson, job, { fsync: this.fsync });
      this.jobs.set(job.id, structuredClone(job));
    });
    this.emit(job.id);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    return job && structuredClone(job);
  }

  async update(id: string, mutate: JobMutator): Promise<JobRecord | undefined> {
    const result = await this.serial.run(id, async () => {
      const current = this.jobs.get(id);
      if (!current) return undefined;
      // A quarantined record is never written back over the evidence.
      if (current.status === 'corrupt') return { job: current, changed: false };
      const next = structuredClone(current);
      if (mutate(next) === false) return { job: current, changed: false };
      next.updated_at = new Date().toISOString();
      await writeJsonAtomic(jobPaths(this.storageDir, id).jobJson, next, { fsync: this.fsync });
      // The job may have been deleted while we were writing: do not resurrect it.
      if (!this.jobs.has(id)) return undefined;
      this.jobs.set(id, next);
      return { job: next, changed: true };
    });
    if (!result) return undefined;
    if (result.changed) this.emit(id);
    return structuredClone(result.job);
  }

  async list(opts: ListOptions): Promise<{ jobs: JobRecord[]; total: number }> {
    const all = [...this.jobs.values()]
      .filter((j) => opts.owner === undefined || j.owner === opts.owner)
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
    const offset = opts.offset ?? 0;
    return { jobs: all.slice(offset, offset + opts.limit).map((j) => structuredClone(j)), total: all.length };
  }

  async listUnfinished(): Promise<JobRecord[]> {
    return [...this.jobs.values()].filter((j) => !isTerminalJob(j.status)).map((j) => structuredClone(j));
  }

  async listExpired(before: Date): Promise<string[]> {
    const cutoff = before.toISOString();
    return [...this.jobs.values()]
      .filter((j) => isTerminalJob(j.status) && (j.finished_at ?? j.updated_at) < cutoff)
      .map((j) => j.id);
  }

  async delete(id: string): Promise<void> {
    await this.serial.run(id, async () => {
      this.jobs.delete(id);
      await removeTree(jobPaths(this.storageDir, id).dir);
    });
  }

  subscribe(id: string, listener: JobListener): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    await this.serial.idle();
    this.events.removeAllListeners();
  }

  private emit(id: string): void {
    const job = this.jobs.get(id);
    if (job) this.events.emit(id, structuredClone(job));
  }
}

const QUARANTINE_NAME = 'job.corrupt.json';

function quarantinePath(dir: string): string {
  return path.join(dir, QUARANTINE_NAME);
}

/** The extension of the job's original file, if there is one (so the corrupt job can show it). */
async function originalExt(dir: string): Promise<string | undefined> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const m = names.map((n) => /^original\.([a-z0-9]{1,8})$/.exec(n)).find(Boolean);
  return m?.[1];
}
