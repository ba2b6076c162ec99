import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { BACKEND_MODES, multipart, startTestService, type TestService } from '../helpers/services.js';

/**
 * Audit 4, finding 18: DELETE and cancel sent together on a job that was just accepted, at
 * moments from 0 to 120 ms after the upload (while it is decoded, separated, assembled). On
 * Redis, a third of them were 500: the cancel's removal of the outputs raced the decode writing
 * work/mix.wav (ENOTEMPTY), and the job was then neither deleted nor cancelled, its mix left on
 * disk. A decode or a report finishing after a delete also made the directory come back. Now
 * every answer is 200 (or 404/409 for the one that comes second) and nothing is left.
 */
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

const DELAYS_MS = [0, 1, 2, 5, 10, 15, 20, 30, 40, 60, 80, 120];

describe.each(BACKEND_MODES)('delete and cancel together, at every moment (%s)', (mode) => {
  it('never 5xx, and no job or file is left', async () => {
    svc = await startTestService({ mode });
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(2), filename: 'a.wav' }]);
    const answers: number[] = [];
    for (const delay of DELAYS_MS) {
      const up = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
      expect(up.statusCode, up.body).toBe(202);
      const id = up.json().job_id as string;
      await new Promise((r) => setTimeout(r, delay));
      const both = await Promise.all([
        svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}` }),
        svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel` }),
      ]);
      answers.push(...both.map((r) => r.statusCode));
    }
    expect(answers.filter((s) => s >= 500)).toEqual([]);
    const jobs = path.join(svc.config.storageDir, 'jobs');
    await vi.waitFor(
      async () => {
        expect(fs.existsSync(jobs) ? fs.readdirSync(jobs) : []).toEqual([]);
        expect((await svc!.app.inject('/api/jobs')).json().total).toBe(0);
      },
      { timeout: 20_000, interval: 100 },
    );
  }, 90_000);
});
