import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { JobRecord } from '../domain/job.js';
import { AppError, NotFoundError } from '../errors.js';
import type { MediaTools } from '../infra/ffmpeg.js';
import { writeJsonAtomic } from '../storage/files.js';
import { jobPaths, type JobPaths } from '../storage/paths.js';
import { isVideoId, videoId, type VideoParams } from './params.js';
import { renderVideo, type VideoFiles } from './render.js';
import { videoSources } from './sources.js';

/**
 * Karaoke videos of finished jobs, rendered on request by an ffmpeg subprocess (never on the
 * event loop), one at a time, and cached on disk per parameters: the state of each is its
 * video/{id}/video.json. A video left queued or running by a process that stopped is reported
 * failed ("interrupted") and rendered again when asked for again. (The same life cycle as
 * VariantService; the two differ in what they render and check.)
 */
export type VideoStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface VideoRecord {
  video_id: string;
  job_id: string;
  status: VideoStatus;
  progress: number;
  params: VideoParams;
  files: Partial<VideoFiles>;
  error?: string;
  created_at: string;
  updated_at: string;
}

export const VIDEO_STATE_FILE = 'video.json';
const PROGRESS_WRITE_MS = 1000;

/** The video records of a job directory as stored (results read them without a service). */
export async function readVideoRecords(paths: JobPaths): Promise<VideoRecord[]> {
  let ids: string[] = [];
  try {
    ids = (await fs.readdir(path.dirname(paths.videoDir('x')))).filter(isVideoId);
  } catch {
    return [];
  }
  const out: VideoRecord[] = [];
  for (const id of ids) {
    try {
      out.push(JSON.parse(await fs.readFile(path.join(paths.videoDir(id), VIDEO_STATE_FILE), 'utf8')));
    } catch {
      // a directory without a readable state is no video
    }
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export class VideoService {
  private chain: Promise<void> = Promise.resolve();
  private readonly active = new Set<string>();
  private readonly abort = new AbortController();

  constructor(
    private readonly storageDir: string,
    private readonly tools: MediaTools,
    private readonly log: Logger,
  ) {}

  async request(job: JobRecord, params: VideoParams): Promise<VideoRecord> {
    if (job.stages.separation.status !== 'completed' || !job.stages.separation.outputs.instrumental)
      throw new AppError(
        'NO_INSTRUMENTAL',
        'a video needs the job to have finished its stem separation',
        409,
      );
    // A variant that is not rendered (or not this job's) is refused now, not when the render starts.
    await videoSources(this.paths(job.id), params.variant);
    const id = videoId(params);
    const existing = await this.get(job.id, id).catch(() => undefined);
    if (existing && existing.status !== 'failed') return existing;
    // The same video asked for twice at once is rendered once.
    if (this.active.has(this.key(job.id, id))) return this.get(job.id, id);
    const now = new Date().toISOString();
    const rec: VideoRecord = {
      video_id: id,
      job_id: job.id,
      status: 'queued',
      progress: 0,
      params,
      files: {},
      created_at: now,
      updated_at: now,
    };
    // Active before its state is on disk, so no reader ever sees it queued and not active.
    this.active.add(this.key(job.id, id));
    await this.save(rec).catch((err: unknown) => {
      this.active.delete(this.key(job.id, id));
      throw err;
    });
    this.chain = this.chain.then(() => this.run(rec));
    return rec;
  }

  /** Resolves when every requested video has been rendered (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }

  async get(jobId: string, id: string): Promise<VideoRecord> {
    if (!isVideoId(id)) throw new NotFoundError(`no video ${id}`);
    let rec: VideoRecord;
    try {
      rec = JSON.parse(await fs.readFile(this.stateFile(jobId, id), 'utf8')) as VideoRecord;
    } catch {
      throw new NotFoundError(`no video ${id}`);
    }
    return this.live(rec);
  }

  async list(jobId: string): Promise<VideoRecord[]> {
    return (await readVideoRecords(this.paths(jobId))).map((r) => this.live(r));
  }

  close(): void {
    this.abort.abort();
  }

  private live(rec: VideoRecord): VideoRecord {
    if (
      (rec.status === 'queued' || rec.status === 'running') &&
      !this.active.has(this.key(rec.job_id, rec.video_id))
    )
      return {
        ...rec,
        status: 'failed',
        error: 'interrupted: the server stopped while rendering; ask again',
      };
    return rec;
  }

  private async run(rec: VideoRecord): Promise<void> {
    let lastWrite = 0;
    // Progress writes are chained so a late one can never overwrite the final state.
    let saving: Promise<void> = Promise.resolve();
    try {
      if (this.abort.signal.aborted) throw new Error('shutting down');
      await this.save({ ...rec, status: 'running' });
      const files = await renderVideo(
        this.tools,
        this.paths(rec.job_id),
        rec.video_id,
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
      this.log.warn({ job_id: rec.job_id, video_id: rec.video_id, err: message }, 'video failed');
      await this.save({ ...rec, status: 'failed', error: message.slice(0, 500) }).catch(() => undefined);
    } finally {
      this.active.delete(this.key(rec.job_id, rec.video_id));
    }
  }

  private async save(rec: VideoRecord): Promise<void> {
    const body = { ...rec, updated_at: new Date().toISOString() };
    await writeJsonAtomic(this.stateFile(rec.job_id, rec.video_id), body, { fsync: false });
  }

  private paths(jobId: string): JobPaths {
    return jobPaths(this.storageDir, jobId);
  }

  private stateFile(jobId: string, id: string): string {
    return path.join(this.paths(jobId).videoDir(id), VIDEO_STATE_FILE);
  }

  private key(jobId: string, id: string): string {
    return `${jobId}/${id}`;
  }
}
