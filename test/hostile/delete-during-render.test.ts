import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, finishedJob, KEY_A, keyedService } from './helpers.js';

/**
 * Audit 3: a job deleted while a variant or a video of it was queued or rendering came back:
 * the render's state writes recreated jobs/{id}/ with variants/…/variant.json and
 * video/…/video.json in it (every time), and the recursive rm racing those writes could fail
 * with ENOTEMPTY, a 500 on DELETE. The render queue now writes nothing for a deleted job and
 * removes what a render recreated (storage/render-queue.ts); the rm retries (removeTree).
 */
let svc: TestService;
beforeAll(async () => {
  svc = await keyedService();
});
afterAll(() => svc.close());

describe('deleting a job while it renders', () => {
  it('answers 200 and leaves no directory behind', async () => {
    const json = { ...auth(KEY_A), 'content-type': 'application/json' };
    const dirs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await finishedJob(svc, KEY_A);
      const variant = await svc.app.inject({
        method: 'POST',
        url: `/api/jobs/${id}/variants`,
        headers: json,
        payload: `{"semitones":${i + 1}}`,
      });
      expect(variant.statusCode, variant.body).toBe(202);
      await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/video`, headers: json, payload: '{}' });
      const del = await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}`, headers: auth(KEY_A) });
      expect(del.statusCode, del.body).toBe(200);
      dirs.push(path.join(svc.config.storageDir, 'jobs', id));
    }
    // Once the renders have run (or been skipped), nothing of the deleted jobs is left.
    await vi.waitFor(() => expect(dirs.filter((d) => fs.existsSync(d))).toEqual([]), {
      timeout: 60_000,
      interval: 100,
    });
  }, 120_000);
});
