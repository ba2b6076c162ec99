import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError, NotFoundError } from '../errors.js';
import { removeTree, writeJsonAtomic } from './files.js';
import type { JobPaths } from './paths.js';

/**
 * The life cycle of a file set rendered on request from a finished job (an instrumental variant,
 * a karaoke video): rendered by a subprocess (never on the event loop), one at a time, cached on
 * disk per parameters, the state of each in its own {dir}/{id}/{state file}. One left queued or
 * running by a process that stopped is reported failed ("interrupted") and rendered again when
 * asked for again. What is rendered, and how its records name their id, is the kind's.
 */
export type RenderStatus = 'queued' | 'running' | 'completed' | 'failed';

/**
 * The job was deleted while one of its renderings was queued or running. Its state writes
 * (and the renderer's own mkdir) recreated the deleted job directory with variant.json /
 * video.json in it, every time; now nothing more is written and what was recreated is removed.
 */
class JobGoneError extends NotFoundError {}

export interface RenderState<P, F> {
  job_id: string;
  status: RenderStatus;
  progress: number;
  params: P;
  files: Partial<F>;
  error?: string;
  created_at: string;
  updated_at: string;
}

export interface RenderKind<P, F, R extends RenderState<P, F>> {
  /** 'variant', 'video': in messages and logs. */
  noun: string;
  stateFile: string;
  /** The directory of one rendering (its state file and its files). */
  dir(paths: JobPaths, id: string): string;
  isId(id: string): boolean;
  idOf(rec: R): string;
  /** The record of a new rendering: the common state plus the kind's id field. */
  create(state: RenderState<P, F>, id: string): R;
}

/** Renders one: its files, written under the kind's dir(paths, id). */
export type Renderer<P, F> = (
  paths: JobPaths,
  id: string,
  params: P,
  onProgress: (percent: number) => void,
  signal: AbortSignal,
) => Promise<F>;

const PROGRESS_WRITE_MS = 1000;
const INTERRUPTED = 'interrupted: the server stopped while rendering; ask again';

/** A job's records of one kind as stored, oldest first (results read them without a queue). */
export async function readRenderRecords<P, F, R extends RenderState<P, F>>(
  paths: JobPaths,
  kind: RenderKind<P, F, R>,
): Promise<R[]> {
  let ids: string[];
  try {
    ids = (await fs.readdir(path.dirname(kind.dir(paths, 'x')))).filter((id) => kind.isId(id));
  } catch {
    return [];
  }
  const out: R[] = [];
  for (const id of ids) {
    try {
      const rec = JSON.parse(await fs.readFile(path.join(kind.dir(paths, id), kind.stateFile), 'utf8')) as R;
      if (kind.idOf(rec) === id) out.push(rec);
    } catch {
      // a directory without a readable state is no rendering
    }
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export class RenderQueue<P, F, R extends RenderState<P, F>> {
  private chain: Promise<void> = Promise.resolve();
  /** Renderings queued or running here, each with the first write of its state. */
  private readonly active = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly kind: RenderKind<P, F, R>,
    private readonly render: Renderer<P, F>,
    private readonly log: Logger,
    private readonly pathsOf: (jobId: string) => JobPaths,
    /**
     * Renderings queued or running at once (0: no limit). Each distinct set of parameters is a
     * new rendering (an ffmpeg run over the whole song, one at a time), and the queue had no
     * bound: a client could queue thousands in a minute and hold the renderer for days.
     */
    private readonly maxQueued = 0,
  ) {}

  /** The rendering with this id: the cached one unless it failed, else a new one queued. */
  async request(jobId: string, id: string, params: P): Promise<R> {
    const existing = await this.get(jobId, id).catch(() => undefined);
    if (existing && existing.status !== 'failed') return existing;
    const key = this.key(jobId, id);
    // The same rendering asked for twice at once is rendered once. The second request waits for
    // the first one's state to be on disk: read before that, it was a 404 "no variant".
    const first = this.active.get(key);
    if (first) {
      await first.catch(() => undefined);
      return this.get(jobId, id);
    }
    if (this.maxQueued > 0 && this.active.size >= this.maxQueued)
      throw new AppError(
        'RENDER_QUEUE_FULL',
        `${this.active.size} ${this.kind.noun}s are queued or rendering (limit ${this.maxQueued}); try again later`,
        503,
      );
    const now = new Date().toISOString();
    const rec = this.kind.create(
      { job_id: jobId, status: 'queued', progress: 0, params, files: {}, created_at: now, updated_at: now },
      id,
    );
    // Active before its state is on disk, so no reader ever sees it queued and not active.
    const saved = this.save(rec);
    this.active.set(key, saved);
    await saved.catch((err: unknown) => {
      this.active.delete(key);
      throw err instanceof JobGoneError ? new NotFoundError(`no job ${jobId}`) : err;
    });
    this.chain = this.chain.then(() => this.run(rec));
    return rec;
  }

  /** Resolves when every requested rendering has finished (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }

  async get(jobId: string, id: string): Promise<R> {
    const missing = (): NotFoundError => new NotFoundError(`no ${this.kind.noun} ${id}`);
    if (!this.kind.isId(id)) throw missing();
    const activeBefore = new Set(this.active.keys());
    let rec: R;
    try {
      rec = JSON.parse(await fs.readFile(this.stateFile(jobId, id), 'utf8')) as R;
    } catch {
      throw missing();
    }
    return this.live(rec, activeBefore);
  }

  async list(jobId: string): Promise<R[]> {
    const activeBefore = new Set(this.active.keys());
    const records = await readRenderRecords(this.pathsOf(jobId), this.kind);
    return Promise.all(records.map((r) => this.live(r, activeBefore)));
  }

  close(): void {
    this.abort.abort();
  }

  /**
   * A record read from disk as it stands now: queued or running with no render in this process
   * is an interrupted one. One whose render was active when the read began but has finished
   * since may have been read just before its final state was written: that is read again.
   */
  private async live(rec: R, activeBefore: ReadonlySet<string>): Promise<R> {
    const key = this.key(rec.job_id, this.kind.idOf(rec));
    const unfinished = rec.status === 'queued' || rec.status === 'running';
    if (!unfinished || this.active.has(key)) return rec;
    if (activeBefore.has(key)) return this.get(rec.job_id, this.kind.idOf(rec));
    return { ...rec, status: 'failed', error: INTERRUPTED };
  }

  private async run(rec: R): Promise<void> {
    const id = this.kind.idOf(rec);
    let lastWrite = 0;
    // Progress writes are chained so a late one can never overwrite the final state.
    let saving: Promise<void> = Promise.resolve();
    try {
      if (this.abort.signal.aborted) throw new Error('shutting down');
      if (await this.jobGone(rec.job_id)) throw new JobGoneError(`job ${rec.job_id} was deleted`);
      await this.save({ ...rec, status: 'running' });
      const files = await this.render(
        this.pathsOf(rec.job_id),
        id,
        rec.params,
        (p) => {
          const now = Date.now();
          if (now - lastWrite < PROGRESS_WRITE_MS) return;
          lastWrite = now;
          const update: R = { ...rec, status: 'running', progress: Math.round(p * 10) / 10 };
          saving = saving.then(() => this.save(update)).catch(() => undefined);
        },
        this.abort.signal,
      );
      await saving;
      await this.save({ ...rec, status: 'completed', progress: 100, files });
    } catch (err) {
      await saving;
      if (err instanceof JobGoneError || (await this.jobGone(rec.job_id))) {
        await removeTree(this.pathsOf(rec.job_id).dir);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      const noun = this.kind.noun;
      this.log.warn({ job_id: rec.job_id, [`${noun}_id`]: id, err: message }, `${noun} failed`);
      await this.save({ ...rec, status: 'failed', error: message.slice(0, 500) }).catch(() => undefined);
    } finally {
      this.active.delete(this.key(rec.job_id, id));
    }
  }

  private async save(rec: R): Promise<void> {
    if (await this.jobGone(rec.job_id)) throw new JobGoneError(`job ${rec.job_id} was deleted`);
    const body = { ...rec, updated_at: new Date().toISOString() };
    await writeJsonAtomic(this.stateFile(rec.job_id, this.kind.idOf(rec)), body, { fsync: false });
  }

  /** Every job directory holds its original upload until the job is deleted. */
  private async jobGone(jobId: string): Promise<boolean> {
    const names = await fs.readdir(this.pathsOf(jobId).dir).catch(() => [] as string[]);
    return !names.some((n) => n.startsWith('original.'));
  }

  private stateFile(jobId: string, id: string): string {
    return path.join(this.kind.dir(this.pathsOf(jobId), id), this.kind.stateFile);
  }

  private key(jobId: string, id: string): string {
    return `${jobId}/${id}`;
  }
}
