import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, type TestService } from '../helpers/services.js';
import { finishedJob } from './helpers.js';

/**
 * Audit 6, finding 4: a download racing a DELETE of its job (about 1 in 40 such pairs on a
 * loopback port) was a 500, once with Fastify's FST_ERR_FAILED_ERROR_SERIALIZATION body instead
 * of the error body: the file passed the allowlist check and was gone when the route stat()ed
 * or opened it. The route now opens the file once and reads all from that handle (an open file
 * stays readable when it is removed); a file gone before the open is 404, as after the DELETE.
 *
 * The race is made deterministic here: the file is removed just after the allowlist check.
 */
const gone = vi.hoisted(() => ({ next: false }));
vi.mock('../../src/http/public-files.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/http/public-files.js')>();
  return {
    ...real,
    openablePublicFile: async (...args: Parameters<typeof real.openablePublicFile>) => {
      const file = await real.openablePublicFile(...args);
      if (file && gone.next) fs.rmSync(file);
      return file;
    },
  };
});

let svc: TestService;
beforeAll(async () => (svc = await startTestService()));
afterAll(() => svc.close());

describe('a file removed between the check and the read', () => {
  it.each(['GET', 'HEAD'] as const)('%s: 404 in the error body', async (method) => {
    const id = await finishedJob(svc);
    gone.next = true;
    try {
      const res = await svc.app.inject({ method, url: `/api/files/${id}/stems/vocals.wav` });
      expect(res.statusCode, res.body).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      if (method === 'GET') expect(res.json().error.code).toBe('NOT_FOUND');
    } finally {
      gone.next = false;
    }
  });

  it('a file still there is served as before', async () => {
    const id = await finishedJob(svc);
    const res = await svc.app.inject({
      url: `/api/files/${id}/original.wav`,
      headers: { range: 'bytes=0-3' },
    });
    expect(res.statusCode).toBe(206);
    expect(res.body).toBe('RIFF');
  });
});
