import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { JobRecord } from '../domain/job.js';
import { AppError, NotFoundError } from '../errors.js';
import type { MediaTools } from '../infra/ffmpeg.js';
import { writeJsonAtomic } from '../storage/files.js';
import { jobPaths, type JobPaths } from '../storage/paths.js';
import { isVariantId, variantId, type VariantParams } from './params.js';
import { renderVariant, type VariantFiles } from './render.js';

/**
 * Instrumental variants of finished jobs, rendered on request by an ffmpeg subprocess (never on
 * the event loop), one at a time, and cached on disk per parameters: the state of each is its
 * variants/{id}/variant.json. A variant left queued or running by a process that stopped is
 * reported failed ("interrupted") and rendered again when asked for again.
 */
export type VariantStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface VariantRecord {
  variant_id: string;
  job_id: string;
  status: VariantStatus;
  progress: number;
  params: VariantParams;
  files: Partial<VariantFiles>;
  error?: string;
  created_at: string;
  updated_at: string;
}

const STATE_FILE = 'variant.json';

/**
 * The completed variants of a job, oldest first, read from their variant.json files (what the
 * results document lists; a queued or running one is not a result yet).
 */
export async function completedVariants(paths: JobPaths): Promise<VariantRecord[]> {
  const root = path.dirname(paths.variantDir('x'));
  let ids: string[];
  try {
    ids = (await fs.readdir(root)).filter(isVariantId);
  } catch {
    return [];
  }
  const out: VariantRecord[] = [];
  for (const id of ids) {
    try {
      const rec = JSON.parse(await fs.readFile(path.join(root, id, STATE_FILE), 'utf8')) as VariantRecord;
      if (rec.status === 'completed' && rec.variant_id === id) out.push(rec);
    } catch {
      // unreadable: not listed
    }
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at));
}
const PROGRESS_WRITE_MS = 1000;

export class VariantService {
  private chain: Promise<void> = Promise.resolve();
  private readonly active = new Set<string>();
  private readonly abort = new AbortController();

  constructor(
    private readonly storageDir: string,
    private readonly tools: MediaTools,
    private readonly log: Logger,
    /** For a CLI job directory instead of the service's storage. */
    private readonly pathsOf: (jobId: string) => JobPaths = (id) => jobPaths(storageDir, id),
  ) {}

  async request(job: JobRecord, params: VariantParams): Promise<VariantRecord> {
    if (job.stages.separation.status !== 'completed' || !job.stages.separation.outputs.instrumental)
      throw new AppError(
        'NO_INSTRUMENTAL',
        'variants need the job to have finished its stem separation',
        409,
      );
    if (params.vocal_db !== null && !job.stages.separation.outputs.vocals)
      throw new AppError('NO_VOCALS', 'a guide vocal needs the vocals stem', 409);
    const id = variantId(params);
    const existing = await this.get(job.id, id).catch(() => undefined);
    if (existing && existing.status !== 'failed') return existing;
    const now = new Date().toISOString();
    const rec: VariantRecord = {
      variant_id: id,
      job_id: job.id,
      status: 'queued',
      progress: 0,
      params,
      files: {},
      created_at: now,
      updated_at: now,
    };
    await this.save(rec);
    this.active.add(this.key(job.id, id));
    this.chain = this.chain.then(() => this.run(rec));
    return rec;
  }

  /** Resolves when every requested variant has been rendered (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }

  async get(jobId: string, id: string): Promise<VariantRecord> {
    if (!isVariantId(id)) throw new NotFoundError(`no variant ${id}`);
    let rec: VariantRecord;
    try {
      rec = JSON.parse(await fs.readFile(this.stateFile(jobId, id), 'utf8')) as VariantRecord;
    } catch {
      throw new NotFoundError(`no variant ${id}`);
    }
    if ((rec.status === 'queued' || rec.status === 'running') && !this.active.has(this.key(jobId, id)))
      return {
        ...rec,
        status: 'failed',
        error: 'interrupted: the server stopped while rendering; ask again',
      };
    return rec;
  }

  async list(jobId: string): Promise<VariantRecord[]> {
    let ids: string[] = [];
    try {
      ids = (await fs.readdir(path.dirname(this.pathsOf(jobId).variantDir('x')))).filter(isVariantId);
    } catch {
      return [];
    }
    const out: VariantRecord[] = [];
    for (const id of ids) {
      const rec = await this.get(jobId, id).catch(() => undefined);
      if (rec) out.push(rec);
    }
    return out.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  close(): void {
    this.abort.abort();
  }

  private async run(rec: VariantRecord): Promise<void> {
    const key = this.key(rec.job_id, rec.variant_id);
    let lastWrite = 0;
    // Progress writes are chained so a late one can never overwrite the final state.
    let saving: Promise<void> = Promise.resolve();
    try {
      if (this.abort.signal.aborted) throw new Error('shutting down');
      await this.save({ ...rec, status: 'running' });
      const files = await renderVariant(
        this.tools,
        this.pathsOf(rec.job_id),
        rec.variant_id,
        rec.params,
        (p) => {
          const now = Date.now();
          if (now - lastWrite < PROGRESS_WRITE_MS) return;
          lastWrite = now;
          const update = { ...rec, status: 'running' as const, progress: Math.round(p * 10) / 10 };
          saving = saving.then(() => this.save(update)).catch(() => undefined);
        },
        this.abort.signal,
      );
      await saving;
      await this.save({ ...rec, status: 'completed', progress: 100, files });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await saving;
      this.log.warn({ job_id: rec.job_id, variant_id: rec.variant_id, err: message }, 'variant failed');
      await this.save({ ...rec, status: 'failed', error: message.slice(0, 500) }).catch(() => undefined);
    } finally {
      this.active.delete(key);
    }
  }

  private async save(rec: VariantRecord): Promise<void> {
    const body = { ...rec, updated_at: new Date().toISOString() };
    await writeJsonAtomic(this.stateFile(rec.job_id, rec.variant_id), body, { fsync: false });
  }

  private stateFile(jobId: string, id: string): string {
    return path.join(this.pathsOf(jobId).variantDir(id), STATE_FILE);
  }

  private key(jobId: string, id: string): string {
    return `${jobId}/${id}`;
  }
}
