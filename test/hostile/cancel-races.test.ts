import { afterEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../../src/store/job-store.js';
import { toneWav } from '../helpers/audio.js';
import { BACKEND_MODES, multipart, startTestService, type TestService } from '../helpers/services.js';

/**
 * Audit 5, finding 5: a cancel that reaches a job in the moment it ends. The route read the job
 * (running), the job then completed, and the cancel's atomic update found it finished and left
 * it so; the answer was 200 with `status: completed`, a cancel that did not happen (about one
 * in ten cancels sent 95–125 ms after a short upload). Now the outcome of the update decides:
 * 409 JOB_FINISHED, as for a job seen finished. The moment is made here, not waited for: the
 * store finishes the job just before the cancel's update.
 */
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

/** The next update of the store first marks the job completed (the assembly winning the race). */
function finishBeforeNextUpdate(store: JobStore): void {
  const update = store.update.bind(store);
  store.update = async (id, mutate) => {
    store.update = update;
    await update(id, (j) => {
      j.status = 'completed';
      j.progress = 100;
      j.finished_at = new Date().toISOString();
    });
    return update(id, mutate);
  };
}

describe.each(BACKEND_MODES)('cancel as the job ends (%s)', (mode) => {
  it('is 409 JOB_FINISHED and the job stays completed', async () => {
    svc = await startTestService({ mode, workers: false });
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const up = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(up.statusCode, up.body).toBe(202);
    const id = up.json().job_id as string;
    finishBeforeNextUpdate(svc.services.backends.store);
    const res = await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel` });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error).toEqual({ code: 'JOB_FINISHED', message: 'the job already ended (completed)' });
    expect((await svc.services.backends.store.get(id))?.status).toBe('completed');
  });
});
