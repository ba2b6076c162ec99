import { describe, expect, it } from 'vitest';
import { isInFlight, STAGE_STATUSES } from '../../../src/domain/job.js';
import { bumpProgress, neededTasks, STAGE_POLICIES } from '../../../src/domain/pipeline.js';
import { afterFailure, isPermanent, retryDelayMs } from '../../../src/domain/retry.js';
import { AppError, CancelledError, InputError, TimeoutError, UnavailableError } from '../../../src/errors.js';
import { sampleJob } from '../../contract/job-store.contract.js';

const policy = { ...STAGE_POLICIES.beats, attempts: 3, backoffMs: 100 };

describe('the retry rule', () => {
  it('never retries input, unavailable, cancelled or timed-out work; retries the rest until attempts run out', () => {
    for (const err of [
      new InputError('BAD', 'bad'),
      new UnavailableError('no model'),
      new CancelledError(),
      new TimeoutError('stage beats', 300),
    ])
      expect(isPermanent(err)).toBe(true);
    expect(isPermanent(new Error('disk hiccup'))).toBe(false);
    expect(isPermanent(new AppError('X', 'x'))).toBe(false);

    expect(afterFailure(new Error('x'), 1, policy, false)).toBe('retry');
    expect(afterFailure(new Error('x'), 3, policy, false)).toBe('failed');
    expect(afterFailure(new TimeoutError('stage beats', 300), 1, policy, false)).toBe('failed');
    expect(afterFailure(new UnavailableError('no model'), 1, policy, false)).toBe('unavailable');
    expect(afterFailure(new CancelledError(), 1, policy, false)).toBe('cancelled');
    expect(afterFailure(new Error('x'), 1, policy, true)).toBe('cancelled');
  });

  it('doubles the delay each attempt', () => {
    expect([1, 2, 3].map((a) => retryDelayMs(policy, a))).toEqual([100, 200, 400]);
  });
});

describe('orchestration rules', () => {
  it('counts queued, running and retrying stages as in flight', () => {
    expect(STAGE_STATUSES.filter(isInFlight)).toEqual(['queued', 'running', 'retrying']);
  });

  it('never lets progress go down, for the stage or the job', () => {
    const job = sampleJob();
    job.prepared = true;
    job.stages.separation.status = 'running';
    bumpProgress(job, 'separation', 50);
    const jobProgress = job.progress;
    expect(job.stages.separation.progress).toBe(50);
    bumpProgress(job, 'separation', 20); // a late report from an earlier attempt
    expect(job.stages.separation.progress).toBe(50);
    expect(job.progress).toBe(jobProgress);
    job.stages.separation.progress = 0; // reset, e.g. resumed after a restart
    bumpProgress(job);
    expect(job.progress).toBe(jobProgress);
  });

  it('says which tasks are due from the record alone', () => {
    const job = sampleJob();
    expect(neededTasks(job)).toEqual(['prepare']);
    job.prepared = true;
    job.stages.separation.status = 'retrying';
    expect(neededTasks(job).sort()).toEqual(['beats', 'separation']);
  });
});
