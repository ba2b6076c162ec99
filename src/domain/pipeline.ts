import type { JobRecord, JobStatus } from './job.js';
import { isTerminalStage } from './job.js';
import type { StageName } from './stage.js';
import { STAGE_NAMES } from './stage.js';

/**
 * The stage table: what each stage needs, how often it is tried, how long it may take,
 * how many run at once per process, and how much of the overall progress it is.
 * Separation and beats start together once the mixture is decoded; transcription waits
 * for the vocals stem.
 */
export interface StagePolicy {
  dependsOn: readonly StageName[];
  attempts: number;
  backoffMs: number; // first retry delay; doubles each attempt
  timeoutS: number;
  concurrency: number;
  weight: number; // share of the overall progress
  /** Queue name in distributed mode. */
  queue: string;
}

export const STAGE_POLICIES: { readonly [S in StageName]: StagePolicy } = {
  separation: {
    dependsOn: [],
    attempts: 2,
    backoffMs: 2000,
    timeoutS: 1800,
    concurrency: 1,
    weight: 60,
    queue: 'stem_separation',
  },
  beats: {
    dependsOn: [],
    attempts: 2,
    backoffMs: 1000,
    timeoutS: 300,
    concurrency: 2,
    weight: 5,
    queue: 'beat_analysis',
  },
  transcription: {
    dependsOn: ['separation'],
    attempts: 2,
    backoffMs: 2000,
    timeoutS: 1800,
    concurrency: 1,
    weight: 30,
    queue: 'transcription',
  },
};

/** Share of overall progress for decoding and for assembling results. */
export const PREPARE_WEIGHT = 3;
export const ASSEMBLE_WEIGHT = 2;

/** Requested stages whose dependencies are all completed and which have not started. */
export function readyStages(job: JobRecord): StageName[] {
  if (!job.prepared) return [];
  return STAGE_NAMES.filter((s) => {
    const st = job.stages[s];
    if (st.status !== 'pending') return false;
    return STAGE_POLICIES[s].dependsOn.every((d) => job.stages[d].status === 'completed');
  });
}

/** Pending stages whose dependency ended without producing its outputs: they can never run. */
export function blockedStages(job: JobRecord): { stage: StageName; dependency: StageName }[] {
  const out: { stage: StageName; dependency: StageName }[] = [];
  for (const s of STAGE_NAMES) {
    if (job.stages[s].status !== 'pending') continue;
    for (const d of STAGE_POLICIES[s].dependsOn) {
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

/** Overall progress 0–100 from the stage progress, weighted by the stage table. */
export function overallProgress(job: JobRecord, assembled = false): number {
  let total = PREPARE_WEIGHT + ASSEMBLE_WEIGHT;
  let done = (job.prepared ? PREPARE_WEIGHT : 0) + (assembled ? ASSEMBLE_WEIGHT : 0);
  for (const s of job.options.stages) {
    const w = STAGE_POLICIES[s].weight;
    total += w;
    const st = job.stages[s];
    done += isTerminalStage(st.status) ? w : (w * st.progress) / 100;
  }
  return Math.min(100, Math.round((1000 * done) / total) / 10);
}
