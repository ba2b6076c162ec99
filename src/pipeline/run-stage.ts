import type { Logger } from 'pino';
import type { PcmAudio } from '../audio/pcm.js';
import type { AppConfig } from '../config.js';
import type { ErrorInfo, JobRecord } from '../domain/job.js';
import { isTerminalStage } from '../domain/job.js';
import { bumpProgress, STAGE_POLICIES } from '../domain/pipeline.js';
import { afterFailure, retryDelayMs } from '../domain/retry.js';
import type { StageContext, StageHandler, StageName, StageOutcome } from '../domain/stage.js';
import { AppError, CancelledError, isShutdown, TimeoutError } from '../errors.js';
import { jobFileWriter, type JobFileWriter } from '../storage/files.js';
import { jobPaths } from '../storage/paths.js';
import { currentStep } from './current-step.js';
import { discardIfGone } from './late-writes.js';
import type { JobStore } from '../store/job-store.js';
import { removeTempFiles } from '../storage/temp-files.js';

/**
 * @file The one place a stage runs: attempts with exponential backoff for transient errors
 * (the rule: domain/retry.ts), the stage timeout and the job timeout, cancellation, throttled
 * progress, and the stage's record in the job store. Returns when the stage has reached a
 * terminal state.
 */

export interface RunStageDeps {
  config: AppConfig;
  store: JobStore;
  log: Logger;
  loadMix(jobId: string): Promise<PcmAudio>;
  /** Test hook: how long to wait before retry n (1-based). */
  backoffMs?: (stage: StageName, attempt: number) => number;
}

const PROGRESS_MIN_INTERVAL_MS = 250;

export async function runStage(
  deps: RunStageDeps,
  jobId: string,
  stage: StageName,
  handler: StageHandler,
  signal: AbortSignal,
): Promise<void> {
  const policy = STAGE_POLICIES[stage];
  const log = deps.log.child({ jobId, stage });
  const job = await deps.store.get(jobId);
  if (!job || job.status === 'cancelled' || isTerminalStage(job.stages[stage].status)) return;

  for (let attempt = job.stages[stage].attempts + 1; ; attempt++) {
    const started = Date.now();
    const current = await deps.store.update(jobId, (j) => {
      if (j.status === 'cancelled') return false;
      const st = j.stages[stage];
      st.status = 'running';
      st.attempts = attempt;
      st.started_at ??= new Date(started).toISOString();
      delete st.error;
      j.status = 'processing';
      j.current_step = currentStep(j);
    });
    if (!current || current.status === 'cancelled') return;

    const result = await attemptStage(deps, current, stage, handler, signal, log);
    // Whatever the attempt left half-written (a timeout, a crash of the engine) goes now.
    await removeTempFiles(jobPaths(deps.config.storageDir, jobId).stageDir(stage));
    if (result.ok) {
      if (await discardStage(deps, jobId, stage)) return;
      await deps.store.update(jobId, (j) => {
        if (j.status === 'cancelled') return false;
        recordOutcome(j, stage, result.outcome, started, deps.config);
        j.current_step = currentStep(j);
      });
      log.info(
        {
          status: result.outcome.status,
          engine: result.outcome.engine?.name,
          seconds: (Date.now() - started) / 1000,
        },
        'stage finished',
      );
      return;
    }
    const err = result.error;
    if (isShutdown(signal)) {
      log.info('stage interrupted by shutdown; it will be resumed');
      throw signal.reason as Error; // the queue must see that the task did not finish
    }
    const next = afterFailure(err, attempt, policy, signal.aborted);
    if (next !== 'retry') {
      await deps.store.update(jobId, (j) => {
        const st = j.stages[stage];
        st.status = next;
        st.error = errorInfo(err, deps.config);
        finish(st, started);
        j.current_step = currentStep(j);
      });
      if (next !== 'cancelled') log.warn({ err, attempt }, 'stage failed');
      return;
    }
    const delay = deps.backoffMs?.(stage, attempt) ?? retryDelayMs(policy, attempt);
    log.warn({ err, attempt, retryInMs: delay }, 'stage failed; retrying');
    await deps.store.update(jobId, (j) => {
      const st = j.stages[stage];
      st.status = 'retrying';
      st.error = errorInfo(err, deps.config);
      st.message = `attempt ${attempt} failed; retrying in ${Math.round(delay / 100) / 10} s`;
      j.current_step = currentStep(j);
    });
    if (!(await sleep(delay, signal))) {
      if (isShutdown(signal)) throw signal.reason as Error;
      await deps.store.update(jobId, (j) => {
        j.stages[stage].status = 'cancelled';
        finish(j.stages[stage], started);
        j.current_step = currentStep(j);
      });
      return;
    }
  }
}

type AttemptResult = { ok: true; outcome: StageOutcome } | { ok: false; error: unknown };

async function attemptStage(
  deps: RunStageDeps,
  job: JobRecord,
  stage: StageName,
  handler: StageHandler,
  outer: AbortSignal,
  log: Logger,
): Promise<AttemptResult> {
  const policy = STAGE_POLICIES[stage];
  const jobStarted = Date.parse(job.started_at ?? job.created_at);
  const jobLeftS = deps.config.jobTimeoutS - (Date.now() - jobStarted) / 1000;
  const limitS = Math.min(policy.timeoutS, jobLeftS);
  const ctrl = new AbortController();
  const onOuter = () => ctrl.abort(outer.reason);
  outer.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const fire = () => {
      ctrl.abort();
      reject(
        limitS < policy.timeoutS
          ? new TimeoutError('the job', deps.config.jobTimeoutS)
          : new TimeoutError(`stage ${stage}`, policy.timeoutS),
      );
    };
    if (limitS <= 0) fire();
    else timer = setTimeout(fire, limitS * 1000);
  });
  const cancelled = new Promise<never>((_, reject) => {
    const reason = () => (outer.reason instanceof AppError ? outer.reason : new CancelledError());
    if (outer.aborted) reject(reason());
    outer.addEventListener('abort', () => reject(reason()), { once: true });
  });
  timeout.catch(() => undefined);
  cancelled.catch(() => undefined);
  const ctx = stageContext(deps, job, stage, ctrl.signal, log);
  const running = handler(ctx);
  running.catch(() => undefined);
  try {
    const outcome = await Promise.race([running, timeout, cancelled]);
    await ctx.flush();
    return { ok: true, outcome };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuter);
    // An engine that cannot stop mid-run (a model on a worker thread sees the abort when it
    // ends) goes on after its attempt was given up, and writes its outputs then: for a job
    // deleted or cancelled meanwhile they are removed once it has ended.
    if (ctrl.signal.aborted)
      void running
        .catch(() => undefined)
        .then(() => discardStage(deps, job.id, stage))
        .catch((err: unknown) => log.warn({ err }, 'outputs of an abandoned attempt not removed'));
  }
}

function stageContext(
  deps: RunStageDeps,
  job: JobRecord,
  stage: StageName,
  signal: AbortSignal,
  log: Logger,
): StageContext & { flush(): Promise<void> } {
  let last = 0;
  let lastWrite = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const progress = (percent: number, message?: string) => {
    const p = Math.max(0, Math.min(100, Number.isFinite(percent) ? percent : 0));
    if (p <= last && message === undefined) return;
    last = Math.max(last, p);
    const now = Date.now();
    if (now - lastWrite < PROGRESS_MIN_INTERVAL_MS && p < 100) return;
    lastWrite = now;
    const value = last;
    // A lost progress write (store briefly away) is not worth failing the stage for.
    pending = pending
      .then(() =>
        deps.store.update(job.id, (j) => {
          const st = j.stages[stage];
          if (st.status !== 'running') return false;
          if (message !== undefined) st.message = message;
          bumpProgress(j, stage, value);
        }),
      )
      .catch((err: unknown) => log.warn({ err }, 'progress not recorded'));
  };
  const paths = jobPaths(deps.config.storageDir, job.id);
  return {
    jobId: job.id,
    paths,
    options: job.options,
    config: deps.config,
    signal,
    log,
    progress,
    loadMix: () => deps.loadMix(job.id),
    write: guardedWriter(jobFileWriter(paths), signal),
    flush: async () => {
      await pending.catch(() => undefined);
    },
  };
}

/** What a stage wrote for a job deleted or cancelled while it ran goes (late-writes.ts). */
function discardStage(deps: RunStageDeps, jobId: string, stage: StageName): Promise<boolean> {
  const paths = jobPaths(deps.config.storageDir, jobId);
  return discardIfGone(deps.store, jobId, paths, [paths.stageDir(stage)]);
}

/** Once the attempt is given up (cancelled, timed out), a stage writes nothing more. */
function guardedWriter(write: JobFileWriter, signal: AbortSignal): JobFileWriter {
  return async (file, data) => {
    if (signal.aborted) throw new CancelledError('the stage was stopped; nothing more is written');
    return write(file, data);
  };
}

function recordOutcome(
  j: JobRecord,
  stage: StageName,
  outcome: StageOutcome,
  started: number,
  config: AppConfig,
): void {
  const st = j.stages[stage];
  st.status = outcome.status === 'completed' ? 'completed' : 'unavailable';
  st.progress = 100;
  st.outputs = outcome.outputs;
  st.warnings = (outcome.warnings ?? []).map((w) => scrub(w, config));
  if (outcome.engine) st.engine = outcome.engine;
  if (outcome.status === 'unavailable')
    st.error = { code: 'ENGINE_UNAVAILABLE', message: scrub(outcome.reason ?? 'engine unavailable', config) };
  else delete st.error;
  delete st.message;
  Object.assign(j.summary, outcome.summary ?? {});
  finish(st, started);
  bumpProgress(j);
}

function finish(st: JobRecord['stages'][StageName], started: number): void {
  const now = Date.now();
  st.finished_at = new Date(now).toISOString();
  st.duration_s = Math.round((now - started) / 10) / 100;
}

/** What a stage error says in the job record: the message for our own errors, a generic one otherwise. */
export function errorInfo(err: unknown, config: AppConfig): ErrorInfo {
  if (err instanceof AppError) return { code: err.code, message: scrub(err.message, config) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'STAGE_ERROR', message: scrub(message, config) };
}

/** Keep absolute server paths out of messages that reach clients. */
function scrub(message: string, config: AppConfig): string {
  return message.split(config.storageDir).join('<storage>').split(config.modelsDir).join('<models>');
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
