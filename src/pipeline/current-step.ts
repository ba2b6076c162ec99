import type { JobRecord } from '../domain/job.js';
import { STAGE_NAMES } from '../domain/stage.js';

/** What the job is doing between stages: its stages are done or waiting, results not yet assembled. */
export const BETWEEN_STAGES_STEP = 'analysing';

/**
 * The job's `current_step` while its stages run: every stage running (or retrying) at once, in
 * pipeline order ("separation, beats"), else the stages queued for a worker, else
 * BETWEEN_STAGES_STEP. Stages run in parallel, so naming only the last one to start is wrong as
 * soon as it finishes first. Recomputed whenever a stage changes state.
 */
export function currentStep(job: JobRecord): string {
  const active = STAGE_NAMES.filter((s) => ['running', 'retrying'].includes(job.stages[s].status));
  if (active.length > 0) return active.join(', ');
  const queued = STAGE_NAMES.filter((s) => job.stages[s].status === 'queued');
  if (queued.length > 0) return queued.join(', ');
  return BETWEEN_STAGES_STEP;
}
