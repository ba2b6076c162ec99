import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobUrls } from '../../src/http/signed-urls.js';
import type { TestService } from '../helpers/services.js';
import { ADMIN, auth, finishedJob, KEY_A, KEY_B, keyedService } from './helpers.js';

/**
 * Finding 2: key B could read, list, cancel and delete key A's jobs. A job now belongs to the
 * key that created it; every other key gets the same 404 as for a job that does not exist.
 */
let svc: TestService;
let idA: string;
let idB: string;

beforeAll(async () => {
  svc = await keyedService();
  idA = await finishedJob(svc, KEY_A);
  idB = await finishedJob(svc, KEY_B);
});
afterAll(() => svc.close());

const jobRoutes = (id: string): [string, string][] => [
  ['GET', `/api/status/${id}`],
  ['GET', `/api/results/${id}`],
  ['GET', `/api/jobs/${id}/events`],
  ['GET', `/api/files/${id}/original.wav`],
  ['HEAD', `/api/files/${id}/original.wav`],
  ['GET', `/api/files/${id}/stems/vocals.wav`],
  ['GET', `/api/files/${id}/report.json`],
  ['POST', `/api/jobs/${id}/cancel`],
  ['DELETE', `/api/jobs/${id}`],
];

describe('job ownership', () => {
  it('stores a hash of the creating key, never the key', async () => {
    const job = await svc.services.backends.store.get(idA);
    expect(job?.owner).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(job)).not.toContain(KEY_A);
  });

  it('answers 404 to another key on every route of a job, and changes nothing', async () => {
    let tried = 0;
    for (const [method, url] of jobRoutes(idA)) {
      const res = await svc.app.inject({ method: method as 'GET', url, headers: auth(KEY_B) });
      tried++;
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      if (method !== 'HEAD') expect(res.json().error.code).toBe('NOT_FOUND');
    }
    expect((await svc.services.backends.store.get(idA))?.status).toBe('completed');
    expect(tried).toBe(9);
  });

  it('a foreign job looks exactly like a missing one', async () => {
    const foreign = await svc.app.inject({ url: `/api/status/${idA}`, headers: auth(KEY_B) });
    const missing = await svc.app.inject({
      url: '/api/status/00000000-0000-4000-8000-000000000000',
      headers: auth(KEY_B),
    });
    expect(foreign.statusCode).toBe(missing.statusCode);
    expect(foreign.json().error.message.replace(idA, 'ID')).toBe(
      missing.json().error.message.replace('00000000-0000-4000-8000-000000000000', 'ID'),
    );
  });

  it('lists only the caller’s own jobs (total too); the admin key lists all', async () => {
    const a = (await svc.app.inject({ url: '/api/jobs', headers: auth(KEY_A) })).json();
    expect(a.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([idA]);
    expect(a.total).toBe(1);
    const b = (await svc.app.inject({ url: '/api/jobs', headers: auth(KEY_B) })).json();
    expect(b.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([idB]);
    const admin = (await svc.app.inject({ url: '/api/jobs', headers: auth(ADMIN) })).json();
    expect(admin.total).toBe(2);
  });

  it('the owner and the admin reach every route', async () => {
    for (const key of [KEY_A, ADMIN]) {
      for (const [method, url] of jobRoutes(idA).filter(([m]) => m === 'GET' || m === 'HEAD')) {
        const res = await svc.app.inject({ method: method as 'GET', url, headers: auth(key) });
        expect(res.statusCode, `${key} ${method} ${url}`).toBe(200);
      }
    }
  });

  it('the owner can delete; the job is then gone for everyone', async () => {
    const id = await finishedJob(svc, KEY_A);
    expect(
      (await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}`, headers: auth(KEY_B) })).statusCode,
    ).toBe(404);
    expect(
      (await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}`, headers: auth(KEY_A) })).statusCode,
    ).toBe(200);
    expect((await svc.app.inject({ url: `/api/status/${id}`, headers: auth(ADMIN) })).statusCode).toBe(404);
  });
});

describe('signed URLs', () => {
  it('results and status carry signed file and event URLs, never a key', async () => {
    const res = (await svc.app.inject({ url: `/api/results/${idA}`, headers: auth(KEY_A) })).json();
    expect(res.files.length).toBeGreaterThan(3);
    for (const f of res.files) expect(f.url).toMatch(/\?exp=\d+&sig=[\w-]+$/);
    const status = (await svc.app.inject({ url: `/api/status/${idA}`, headers: auth(KEY_A) })).json();
    expect(status.links.events).toMatch(/\/events\?exp=\d+&sig=/);
    expect(status.original_url).toMatch(/\?exp=/);
    expect(JSON.stringify([res, status])).not.toContain(KEY_A);
  });

  it('a signed URL works without a header for that file only', async () => {
    const res = (await svc.app.inject({ url: `/api/results/${idA}`, headers: auth(KEY_A) })).json();
    const stem = res.stems.vocals.url as string;
    expect((await svc.app.inject(stem)).statusCode).toBe(200);
    expect((await svc.app.inject({ method: 'HEAD', url: stem })).statusCode).toBe(200);
    // Another file, another job, the events route or a tampered signature: refused.
    expect((await svc.app.inject(stem.replace('vocals.wav', 'drums.wav'))).statusCode).toBe(401);
    expect((await svc.app.inject(stem.replace(idA, idB))).statusCode).toBe(401);
    const [, query] = stem.split('?');
    expect((await svc.app.inject(`/api/jobs/${idA}/events?${query}`)).statusCode).toBe(401);
    expect((await svc.app.inject(`/api/status/${idA}?${query}`)).statusCode).toBe(401);
    // Its first character changed (to one it is not: 'sig=A' on a signature that starts with A was no change).
    const tampered = stem.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect(tampered).not.toBe(stem);
    expect((await svc.app.inject(tampered)).statusCode).toBe(401);
    expect((await svc.app.inject(stem.replace(/exp=\d+/, 'exp=99999999999'))).statusCode).toBe(401);
  });

  it('a signed events URL opens the stream without a header', async () => {
    const status = (await svc.app.inject({ url: `/api/status/${idA}`, headers: auth(KEY_A) })).json();
    const res = await svc.app.inject(status.links.events);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('event: status');
    expect(res.body).toContain('event: end');
  });

  it('expires', () => {
    const urls = jobUrls(svc.config);
    const url = urls.file(idA, 'stems/vocals.wav');
    const exp = /exp=(\d+)/.exec(url)![1];
    const sig = /sig=([\w-]+)/.exec(url)![1];
    const now = Math.floor(Date.now() / 1000);
    expect(urls.verify('file', idA, 'stems/vocals.wav', exp, sig, now)).toBe(true);
    expect(urls.verify('file', idA, 'stems/vocals.wav', exp, sig, Number(exp) + 1)).toBe(false);
    expect(urls.verify('events', idA, 'stems/vocals.wav', exp, sig, now)).toBe(false);
  });

  it('a signed URL of a deleted job, or one for a job the signer did not make, gives nothing', async () => {
    const id = await finishedJob(svc, KEY_B);
    const res = (await svc.app.inject({ url: `/api/results/${id}`, headers: auth(KEY_B) })).json();
    const url = res.original.url as string;
    await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}`, headers: auth(KEY_B) });
    expect((await svc.app.inject(url)).statusCode).toBe(404);
  });
});
