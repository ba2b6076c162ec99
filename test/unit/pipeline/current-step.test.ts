import { afterEach, describe, expect, it } from 'vitest';
import { newJobRecord, type StageStatus } from '../../../src/domain/job.js';
import type { StageName } from '../../../src/domain/stage.js';
import { BETWEEN_STAGES_STEP, currentStep } from '../../../src/pipeline/current-step.js';
import { toneWav } from '../../helpers/audio.js';
import { fakeBeats, hanging } from '../../helpers/fake-stages.js';
import { multipart, startTestService, waitForJob, type TestService } from '../../helpers/services.js';

function jobWith(statuses: Partial<Record<StageName, StageStatus>>) {
  const job = newJobRecord({
    id: 'j',
    originalFilename: 'a.wav',
    fileExt: 'wav',
    fileSize: 1,
    audioDuration: 1,
    options: { stages: ['separation', 'transcription', 'beats'] },
  });
  for (const [s, status] of Object.entries(statuses)) job.stages[s as StageName].status = status;
  return job;
}

describe('current_step', () => {
  it('names every stage running at once, in pipeline order', () => {
    expect(currentStep(jobWith({ beats: 'running', separation: 'running' }))).toBe('separation, beats');
    expect(currentStep(jobWith({ separation: 'retrying', beats: 'completed' }))).toBe('separation');
  });

  it('names the stage still running when a parallel one finished first', () => {
    expect(currentStep(jobWith({ separation: 'running', beats: 'completed' }))).toBe('separation');
  });

  it('names queued stages when none runs, else says the job is between stages', () => {
    expect(
      currentStep(jobWith({ separation: 'completed', transcription: 'queued', beats: 'completed' })),
    ).toBe('transcription');
    expect(
      currentStep(jobWith({ separation: 'completed', transcription: 'completed', beats: 'completed' })),
    ).toBe(BETWEEN_STAGES_STEP);
  });
});

describe('current_step in the job record', () => {
  let svc: TestService | undefined;
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
  });

  it('still names separation after beats, started later, has finished', async () => {
    const sep = hanging();
    svc = await startTestService({ handlers: { separation: sep, beats: fakeBeats() } });
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    const id = res.json().job_id as string;
    await sep.started;
    const job = await waitForJob(svc.services, id, (j) => j.stages.beats.status === 'completed');
    expect(job.stages.separation.status).toBe('running');
    expect(job.current_step).toBe('separation');
    const status = await svc.app.inject({ url: `/api/status/${id}` });
    expect(status.json().current_step).toBe('separation');
  });
});
