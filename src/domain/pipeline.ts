/**
 * @file The stage table and the orchestration rules read from a job record: which tasks a job
 * is made of, which stages are ready or blocked, which tasks should be queued now, the final
 * status, and the overall progress (which never goes down).
 */

import type { JobRecord, JobStatus } from './job.js';
import { isInFlight, isTerminalStage } from './job.js';
import type { JobOptions, StageName } from './stage.js';
import { STAGE_NAMES } from './stage.js';

/**
 * A job is a sequence of idempotent tasks: `prepare` (decode once), one per stage, `assemble`.
 * Each is queued under the id `${jobId}:${task}`.
 */
export const TASK_NAMES = ['prepare', 'separation', 'beats', 'transcription', 'assemble'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export function isStageTask(name: TaskName): name is StageName {
  return name !== 'prepare' && name !== 'assemble';
}

export interface StagePolicy {
  dependsOn: readonly StageName[];
  /** Stages this one waits for when they are requested: their outputs help but are not needed. */
  after?: readonly StageName[];
  attempts: number;
  backoffMs: number; // first retry delay; doubles each attempt
  timeoutS: number;
  concurrency: number;
  weight: number; // share of the overall progress
}

export const STAGE_POLICIES: { readonly [S in StageName]: StagePolicy } = {
  separation: {
    dependsOn: [],
    attempts: 2,
    backoffMs: 2000,
    timeoutS: 1800,
    concurrency: 1,
    weight: 60,
  },
  beats: {
    dependsOn: [],
    attempts: 2,
    backoffMs: 1000,
    timeoutS: 300,
    concurrency: 2,
    weight: 5,
  },
  transcription: {
    dependsOn: ['separation'],
    after: ['beats'], // the beat grid is a prior for sung word starts; beats are cheap
    attempts: 2,
    backoffMs: 2000,
    timeoutS: 1800,
    concurrency: 1,
    weight: 30,
  },
};

/** The stages `stage` needs for this job: a vocals upload needs no separation before transcription. */
export function requiredStages(stage: StageName, options: JobOptions): readonly StageName[] {
  if (stage === 'transcription' && options.input === 'vocals') return [];
  return STAGE_POLICIES[stage].dependsOn;
}

/**
 * The requested stages `stage` waits for in this job (to end, in any way) besides its
 * dependencies: the table's `after`, and separation for beats tracked on the drums stem.
 */
export function waitsFor(stage: StageName, options: JobOptions): readonly StageName[] {
  const after = [...(STAGE_POLICIES[stage].after ?? [])];
  if (stage === 'beats' && options.beatsSource === 'drums') after.push('separation');
  return after.filter((d) => options.stages.includes(d));
}

/** Share of overall progress for decoding and for assembling results. */
export const PREPARE_WEIGHT = 3;
export const ASSEMBLE_WEIGHT = 2;

/** Requested stages whose dependencies are all completed and which have not started. */
export function readyStages(job: JobRecord): StageName[] {
  if (!job.prepared) return [];
  return STAGE_NAMES.filter((s) => {
    const st = job.stages[s];
    if (st.status !== 'pending') return false;
    return (
      requiredStages(s, job.options).every((d) => job.stages[d].status === 'completed') &&
      waitsFor(s, job.options).every((d) => isTerminalStage(job.stages[d].status))
    );
  });
}

/** Pending stages whose dependency ended without producing its outputs: they can never run. */
export function blockedStages(job: JobRecord): { stage: StageName; dependency: StageName }[] {
  const out: { stage: StageName; dependency: StageName }[] = [];
  for (const s of STAGE_NAMES) {
    if (job.stages[s].status !== 'pending') continue;
    for (const d of requiredStages(s, job.options)) {
      const ds = job.stages[d].status;
      if (isTerminalStage(ds) && ds !== 'completed') {
        out.push({ stage: s, dependency: d });
        break;
      }
    }
  }
  return out;
}

export function allStagesDone(job: JobRecord): boolean {
  return STAGE_NAMES.every((s) => isTerminalStage(job.stages[s].status));
}

/** Final status from the requested stages' outcomes. */
export function finalStatus(job: JobRecord): JobStatus {
  const requested = job.options.stages;
  const done = requested.filter((s) => job.stages[s].status === 'completed').length;
  if (requested.length > 0 && done === requested.length) return 'completed';
  return done > 0 ? 'partial' : 'failed';
}

/** The tasks a job's record says should be queued or running now. */
export function neededTasks(job: JobRecord): TaskName[] {
  if (!job.prepared) return ['prepare'];
  if (allStagesDone(job)) return ['assemble'];
  const inFlight = STAGE_NAMES.filter((s) => isInFlight(job.stages[s].status));
  return [...new Set([...inFlight, ...readyStages(job)])];
}

/**
 * Overall progress 0–100 from the stage progress, weighted by the stage table. Assembling is
 * the last share: a job reaches 100 only when it is finished.
 */
export function overallProgress(job: JobRecord): number {
  let total = PREPARE_WEIGHT + ASSEMBLE_WEIGHT;
  let done = job.prepared ? PREPARE_WEIGHT : 0;
  for (const s of job.options.stages) {
    const w = STAGE_POLICIES[s].weight;
    total += w;
    const st = job.stages[s];
    done += isTerminalStage(st.status) ? w : (w * st.progress) / 100;
  }
  return Math.min(100, Math.round((1000 * done) / total) / 10);
}

/**
 * Progress never goes down, for a stage or for the job: a late or repeated report (a retried
 * attempt, a task delivered twice) can only hold it where it is. Call after changing a record.
 */
export function bumpProgress(job: JobRecord, stage?: StageName, percent?: number): void {
  if (stage !== undefined && percent !== undefined) {
    const st = job.stages[stage];
    st.progress = Math.max(st.progress, Math.round(percent * 10) / 10);
  }
  job.progress = Math.max(job.progress, overallProgress(job));
}
