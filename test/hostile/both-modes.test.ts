import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { BACKEND_MODES, multipart, startTestService, type TestService } from '../helpers/services.js';
import { ADMIN, auth, finishedJob, KEY_A, KEY_B, withSecurity } from './helpers.js';

/**
 * The audit's inputs against both job stores (embedded and Redis): the answers may not depend
 * on the mode. Also the job lifecycle as an attacker drives it: a finished job cancelled twice,
 * results asked for while the job waits, an id of the wrong shape, a job deleted twice.
 */
describe.each(BACKEND_MODES)('%s mode', (mode) => {
  let svc: TestService;
  let finished: TestService;
  let done: string;
  let waiting: string;
  beforeAll(async () => {
    const config = withSecurity({ adminKey: ADMIN }, { apiKeys: [KEY_A, KEY_B] });
    finished = await startTestService({ mode, config });
    done = await finishedJob(finished, KEY_A);
    // No workers: its job stays queued.
    svc = await startTestService({ mode, workers: false, config });
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const res = await svc.app.inject({
      method: 'POST',
      url: '/api/process',
      payload,
      headers: { ...headers, ...auth(KEY_A) },
    });
    waiting = res.json().job_id as string;
  });
  afterAll(async () => {
    await svc.close();
    await finished.close();
  });

  const send = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: string, on = svc) =>
    on.app.inject({
      method,
      url,
      headers: { ...auth(KEY_A), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload }),
    });

  it('refuses the audit inputs alike', async () => {
    expect((await send('PUT', `/api/status/${waiting}`)).statusCode).toBe(405);
    expect((await send('GET', '/api/jobs?offset=1e20')).statusCode).toBe(400);
    expect((await send('GET', '/api/jobs?limit=5&limit=6')).statusCode).toBe(400);
    const dup = await send('POST', `/api/jobs/${waiting}/variants`, '{"tempo":1,"tempo":2}');
    expect(dup.json().error.code).toBe('DUPLICATE_KEY');
    // Audit 3: one spelling of a query number; If-Range that does not name the file.
    expect((await send('GET', '/api/jobs?limit=0x10')).statusCode).toBe(400);
    expect((await send('GET', '/api/jobs?offset=-0')).statusCode).toBe(400);
    const stale = await finished.app.inject({
      url: `/api/files/${done}/original.wav`,
      headers: { ...auth(KEY_A), range: 'bytes=0-3', 'if-range': '"stale"' },
    });
    expect(stale.statusCode).toBe(200);
    for (const bad of ['not-a-uuid', `${waiting}x`, '..%2f..%2fjob.json', '%00', 'ｄｅｆ'])
      expect((await send('GET', `/api/status/${bad}`)).statusCode, bad).toBe(400);
  });

  it('lists only the caller’s jobs, within bounds', async () => {
    const mine = (await send('GET', '/api/jobs?limit=200&offset=0')).json();
    expect(mine.total).toBe(1);
    const theirs = await svc.app.inject({ url: '/api/jobs', headers: auth(KEY_B) });
    expect(theirs.json().total).toBe(0);
  });

  it('results of a waiting job are 409; a finished job cancelled twice is 409 twice', async () => {
    const early = await send('GET', `/api/results/${waiting}`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('JOB_NOT_FINISHED');
    for (let i = 0; i < 2; i++) {
      const res = await send('POST', `/api/jobs/${done}/cancel`, undefined, finished);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('JOB_FINISHED');
    }
  });

  it('a waiting job cancelled twice: 200, then 409; deleted twice: 200, then 404', async () => {
    const first = await send('POST', `/api/jobs/${waiting}/cancel`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().status).toBe('cancelled');
    expect((await send('POST', `/api/jobs/${waiting}/cancel`)).statusCode).toBe(409);
    expect((await send('DELETE', `/api/jobs/${waiting}`)).statusCode).toBe(200);
    expect((await send('DELETE', `/api/jobs/${waiting}`)).statusCode).toBe(404);
    expect((await send('GET', `/api/files/${waiting}/original.wav`)).statusCode).toBe(404);
  });
});
