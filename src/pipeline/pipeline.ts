/**
 * @file Orchestrates jobs over the queue: prepare (decode once) → stages as their dependencies
 * complete → assemble. Every step reads the job record first, so delivering a task twice,
 * or again after a crash, does no harm. The same code runs in embedded and distributed mode.
 * What is ready, blocked or due is decided by the rules in domain/pipeline.ts.
 */

import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import { pcmDuration, type PcmAudio } from '../audio/pcm.js';
import type { AppConfig } from '../config.js';
import type { JobRecord } from '../domain/job.js';
import { isInFlight, isTerminalJob, isTerminalStage } from '../domain/job.js';
import type { TaskName } from '../domain/pipeline.js';
import {
  allStagesDone,
  blockedStages,
  bumpProgress,
  finalStatus,
  isStageTask,
  readyStages,
  STAGE_POLICIES,
  TASK_NAMES,
} from '../domain/pipeline.js';
import type { StageHandlers, StageName } from '../domain/stage.js';
import { STAGE_NAMES } from '../domain/stage.js';
import { CancelledError, InputError, isShutdown } from '../errors.js';
import type { MediaTools } from '../infra/ffmpeg.js';
import { DecodeThread } from '../ingest/decode-thread.js';
import type { JobQueue, Task } from '../queue/job-queue.js';
import { QUEUE_NAMES } from '../queue/job-queue.js';
import { removeTree, writeJsonAtomic } from '../storage/files.js';
import { jobPaths } from '../storage/paths.js';
import type { JobStore } from '../store/job-store.js';
import { MixCache } from './mix-cache.js';
import { buildReport } from './report.js';
import { BETWEEN_STAGES_STEP } from './current-step.js';
import { discardIfGone } from './late-writes.js';
import { errorInfo, runStage } from './run-stage.js';

export interface PipelineDeps {
  config: AppConfig;
  store: JobStore;
  queue: JobQueue;
  handlers: StageHandlers;
  media: MediaTools;
  log: Logger;
  appVersion: string;
  backoffMs?: (stage: StageName, attempt: number) => number;
  /**
   * Write the decoded mixture to work/mix.wav for workers in other processes (distributed mode).
   * In one process the stages share the decoded copy in memory, and after a restart it is decoded
   * again from the original. Default true.
   */
  shareMix?: boolean;
  /** Called once when a job reaches its final status (webhooks). */
  onJobFinished?: (job: JobRecord) => void;
}

export class Pipeline {
  private readonly mixes = new MixCache();
  /** Decoding and resampling whole songs happens off the event loop. */
  private readonly audio = new DecodeThread();

  constructor(private readonly deps: PipelineDeps) {}

  /** Register task handlers on the queue (all tasks by default; a worker may take a subset). */
  startWorkers(tasks: readonly TaskName[] = TASK_NAMES, concurrency?: number): void {
    for (const name of withQueueMates(tasks)) {
      const n =
        concurrency ??
        (isStageTask(name) ? STAGE_POLICIES[name].concurrency : this.deps.config.maxConcurrentJobs);
      this.deps.queue.work(name, n, (task, signal) => this.handle(task, signal));
    }
  }

  async submit(job: JobRecord): Promise<void> {
    await this.deps.store.create(job);
    await this.deps.queue.enqueue({ jobId: job.id, name: 'prepare' });
  }

  /** Re-enqueue everything unfinished (after a restart): running stages go back to pending. */
  async recover(): Promise<number> {
    const jobs = await this.deps.store.listUnfinished();
    for (const job of jobs) {
      await this.deps.store.update(job.id, (j) => {
        for (const s of STAGE_NAMES) {
          const st = j.stages[s];
          if (isInFlight(st.status)) {
            st.status = 'pending';
            st.progress = 0;
            st.message = 'resumed after restart';
          }
        }
      });
      await this.advance(job.id);
    }
    if (jobs.length > 0) this.deps.log.info({ count: jobs.length }, 'resumed unfinished jobs');
    return jobs.length;
  }

  /** Cancel an unfinished job: stop its work, keep its record, remove partial outputs. */
  async cancel(jobId: string): Promise<JobRecord | undefined> {
    let changed = false;
    const job = await this.deps.store.update(jobId, (j) => {
      if (isTerminalJob(j.status)) return false;
      changed = true;
      j.status = 'cancelled';
      j.current_step = 'cancelled';
      j.finished_at = new Date().toISOString();
      for (const s of STAGE_NAMES) {
        const st = j.stages[s];
        if (!isTerminalStage(st.status)) {
          st.status = 'cancelled';
          st.outputs = {};
        }
      }
    });
    await this.deps.queue.cancelJob(jobId);
    this.mixes.release(jobId);
    if (job?.status === 'cancelled') await this.removeOutputs(jobId, job.file_ext);
    if (job && changed) this.deps.onJobFinished?.(job);
    return job;
  }

  /** Stops the decode thread (the queue is closed by the backends). */
  async close(): Promise<void> {
    await this.audio.close();
  }

  /** Cancel if needed, then delete the job and all its files. */
  async remove(jobId: string): Promise<void> {
    await this.cancel(jobId);
    await this.deps.store.delete(jobId);
  }

  private async handle(task: Task, signal: AbortSignal): Promise<void> {
    const log = this.deps.log.child({ jobId: task.jobId, task: task.name });
    try {
      if (task.name === 'prepare') await this.prepare(task.jobId, signal);
      else if (task.name === 'assemble') await this.assemble(task.jobId);
      else await this.runStage(task.jobId, task.name, signal);
    } catch (err) {
      // Not finished: embedded mode resumes it on the next start; BullMQ hands it to another worker.
      if (isShutdown(signal)) throw err;
      log.error({ err }, 'task failed');
      await this.failJob(task.jobId, err);
      return;
    }
    await this.advance(task.jobId);
  }

  private async runStage(jobId: string, stage: StageName, signal: AbortSignal): Promise<void> {
    const { config, store, log, backoffMs, handlers } = this.deps;
    await runStage(
      {
        config,
        store,
        log,
        backoffMs,
        loadMix: (id) => this.loadMix(id),
      },
      jobId,
      stage,
      handlers[stage],
      signal,
    );
  }

  /** Enqueue whatever can run now; settle stages that can never run; assemble when all are done. */
  async advance(jobId: string): Promise<void> {
    const job = await this.deps.store.get(jobId);
    if (!job || isTerminalJob(job.status)) return;
    if (!job.prepared) {
      await this.deps.queue.enqueue({ jobId, name: 'prepare' });
      return;
    }
    // Decided inside the atomic update, so a late advance never re-queues a finished stage.
    let ready: StageName[] = [];
    const after = await this.deps.store.update(jobId, (j) => {
      ready = [];
      if (isTerminalJob(j.status)) return false;
      const blocked = blockedStages(j);
      ready = readyStages(j);
      if (blocked.length === 0 && ready.length === 0) return false;
      for (const { stage, dependency } of blocked) {
        const st = j.stages[stage];
        st.status = 'skipped';
        st.error = {
          code: 'DEPENDENCY_FAILED',
          message: `needs ${dependency}, which ended ${j.stages[dependency].status}`,
        };
      }
      for (const s of ready) {
        j.stages[s].status = 'queued';
        j.stages[s].queued_at = new Date().toISOString();
      }
      bumpProgress(j);
    });
    for (const s of ready) await this.deps.queue.enqueue({ jobId, name: s });
    if (after && !isTerminalJob(after.status) && allStagesDone(after)) {
      await this.deps.queue.enqueue({ jobId, name: 'assemble' });
    }
  }

  private async prepare(jobId: string, signal: AbortSignal): Promise<void> {
    const { config, store, media, log } = this.deps;
    const job = await store.get(jobId);
    if (!job || job.prepared || isTerminalJob(job.status)) return;
    await store.update(jobId, (j) => {
      j.status = 'processing';
      j.current_step = 'decoding';
      j.started_at ??= new Date().toISOString();
    });
    const paths = jobPaths(config.storageDir, jobId);
    let audio;
    try {
      audio = await this.audio.decodeMix(media, paths.original(job.file_ext), job.file_ext, {
        sampleRate: config.audioSampleRate,
        signal,
        maxDurationS: config.maxDurationS + 1,
        // Only what decoding reads: the options cross to the decode thread by structured clone.
        config: { allowBundledFfmpeg: config.allowBundledFfmpeg },
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledError();
      throw new InputError('DECODE_FAILED', 'the audio could not be decoded', 422, { cause: err });
    }
    const duration = pcmDuration(audio);
    if (duration <= 0) throw new InputError('EMPTY_AUDIO', 'the audio has no samples', 422);
    if (this.deps.shareMix !== false) {
      await fs.mkdir(paths.workDir, { recursive: true });
      // Scratch data, re-made from the original if lost: no fsync.
      await this.audio.writeWav(paths.mix, audio, 'f32');
    }
    this.mixes.prime(jobId, audio);
    log.info({ jobId, duration }, 'decoded');
    await store.update(jobId, (j) => {
      if (j.status === 'cancelled') return false;
      j.prepared = true;
      j.audio_duration = Math.round(duration * 1000) / 1000;
      j.current_step = BETWEEN_STAGES_STEP;
      bumpProgress(j);
    });
    if (await discardIfGone(store, jobId, paths, [paths.workDir])) this.mixes.release(jobId);
  }

  /** The decoded mixture: from memory, else work/mix.wav, else decoded again from the original. */
  private loadMix(jobId: string): Promise<PcmAudio> {
    const { config, store, media } = this.deps;
    return this.mixes.get(jobId, async () => {
      const paths = jobPaths(config.storageDir, jobId);
      const shared = await this.audio.readWav(paths.mix).catch(() => undefined);
      if (shared) return shared;
      const job = await store.get(jobId);
      if (!job) throw new InputError('NO_JOB', `job ${jobId} is gone`, 404);
      return this.audio.decodeMix(media, paths.original(job.file_ext), job.file_ext, {
        sampleRate: config.audioSampleRate,
        maxDurationS: config.maxDurationS + 1,
        // Only what decoding reads: the options cross to the decode thread by structured clone.
        config: { allowBundledFfmpeg: config.allowBundledFfmpeg },
      });
    });
  }

  private async assemble(jobId: string): Promise<void> {
    const { config, store, appVersion } = this.deps;
    const paths = jobPaths(config.storageDir, jobId);
    const current = await store.get(jobId);
    if (!current || isTerminalJob(current.status) || !allStagesDone(current)) return;
    const finishedAt = new Date().toISOString();
    const settle = (j: JobRecord) => {
      j.status = finalStatus(j);
      j.current_step = 'done';
      j.finished_at = finishedAt;
      j.progress = 100;
      if (j.status === 'failed' && !j.error)
        j.error = { code: 'ALL_STAGES_FAILED', message: 'no stage produced results' };
    };
    // The report is on disk before anyone can see the job as finished.
    const preview = structuredClone(current);
    settle(preview);
    const report = buildReport(preview, appVersion);
    await writeJsonAtomic(paths.report, report);
    const job = await store.update(jobId, (j) => {
      if (isTerminalJob(j.status) || !allStagesDone(j)) return false;
      settle(j);
    });
    this.mixes.release(jobId);
    // Deleted or cancelled meanwhile: its report goes, and it is not announced a second time.
    if (await discardIfGone(store, jobId, paths, [paths.report, paths.workDir])) return;
    if (!job || !isTerminalJob(job.status)) return;
    await fs.rm(paths.workDir, { recursive: true, force: true });
    this.deps.log.info({ jobId, status: job.status, wallS: report.wall_time_s }, 'job finished');
    this.deps.onJobFinished?.(job);
  }

  private async failJob(jobId: string, err: unknown): Promise<void> {
    const info = errorInfo(err, this.deps.config);
    let changed = false;
    const job = await this.deps.store.update(jobId, (j) => {
      if (isTerminalJob(j.status)) return false;
      changed = true;
      j.status = err instanceof CancelledError ? 'cancelled' : 'failed';
      j.error = info;
      j.current_step = j.status;
      j.finished_at = new Date().toISOString();
      for (const s of STAGE_NAMES) {
        const st = j.stages[s];
        if (!isTerminalStage(st.status)) {
          st.status = 'skipped';
          st.error = { code: 'JOB_FAILED', message: `not run: ${info.message}` };
        }
      }
    });
    this.mixes.release(jobId);
    if (job) {
      const paths = jobPaths(this.deps.config.storageDir, jobId);
      await writeJsonAtomic(paths.report, buildReport(job, this.deps.appVersion)).catch(() => undefined);
      await fs.rm(paths.workDir, { recursive: true, force: true });
      if (changed) this.deps.onJobFinished?.(job);
    }
  }

  private async removeOutputs(jobId: string, ext: string): Promise<void> {
    const paths = jobPaths(this.deps.config.storageDir, jobId);
    const keep = new Set([paths.jobJson, paths.original(ext)]);
    const entries = await fs.readdir(paths.dir).catch(() => [] as string[]);
    for (const name of entries) {
      const full = `${paths.dir}/${name}`;
      // job.json's temp files belong to a write in flight. A decode may be writing work/ right
      // now: a plain rm failed with ENOTEMPTY, a 500 on DELETE (removeTree retries).
      if (!keep.has(full) && !name.startsWith('job.json')) await removeTree(full);
    }
  }
}

/**
 * Tasks that share a queue are always served together (prepare and assemble share
 * audio_processing): a worker that took a task it has no handler for could only hand it back
 * and hope another worker picks it up.
 */
export function withQueueMates(tasks: readonly TaskName[]): TaskName[] {
  return TASK_NAMES.filter((t) => tasks.some((r) => QUEUE_NAMES[r] === QUEUE_NAMES[t]));
}
