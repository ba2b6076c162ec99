import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupOnce } from '../../src/pipeline/cleanup.js';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';

let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

describe('API keys', () => {
  it('protects /api routes when API_KEYS is set, and leaves /health open', async () => {
    svc = await startTestService({ config: { apiKeys: ['s3cret'] } });
    expect((await svc.app.inject('/api/jobs')).statusCode).toBe(401);
    expect((await svc.app.inject({ url: '/api/jobs', headers: { 'x-api-key': 'wrong' } })).statusCode).toBe(
      401,
    );
    expect((await svc.app.inject({ url: '/api/jobs', headers: { 'x-api-key': 's3cret' } })).statusCode).toBe(
      200,
    );
    expect(
      (await svc.app.inject({ url: '/api/jobs', headers: { authorization: 'Bearer s3cret' } })).statusCode,
    ).toBe(200);
    // Never in the query string (it ends up in logs): signed URLs replace it.
    expect((await svc.app.inject('/api/jobs?api_key=s3cret')).statusCode).toBe(401);
    expect((await svc.app.inject('/health')).statusCode).toBe(200);
    expect((await svc.app.inject('/api/jobs')).json().error.code).toBe('UNAUTHORIZED');
  });
});

describe('CORS', () => {
  it('answers only allowed origins', async () => {
    svc = await startTestService({ config: { corsOrigins: ['https://karaoke.example'] } });
    const ok = await svc.app.inject({ url: '/api/jobs', headers: { origin: 'https://karaoke.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://karaoke.example');
    const other = await svc.app.inject({ url: '/api/jobs', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limit', () => {
  it('answers 429 with the error shape past RATE_LIMIT per minute', async () => {
    svc = await startTestService({ config: { rateLimitPerMinute: 3 } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await svc.app.inject('/api/jobs')).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const res = await svc.app.inject('/api/jobs');
    expect(res.json().error.code).toBe('RATE_LIMITED');
    expect((await svc.app.inject('/health')).statusCode).toBe(200);
  });
});

describe('cleanup', () => {
  it('removes jobs that ended more than JOB_TTL ago, and stale uploads', async () => {
    svc = await startTestService({ config: { jobTtlS: 60 } });
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const id = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json()
      .job_id;
    await waitForJob(svc.services, id);
    const stale = path.join(svc.config.storageDir, 'tmp', 'old.upload');
    fs.writeFileSync(stale, 'x');
    fs.utimesSync(stale, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));

    expect(await cleanupOnce(svc.services, new Date(Date.now() + 30_000))).toBe(0);
    expect((await svc.app.inject(`/api/status/${id}`)).statusCode).toBe(200);
    expect(await cleanupOnce(svc.services, new Date(Date.now() + 120_000))).toBe(1);
    expect((await svc.app.inject(`/api/status/${id}`)).statusCode).toBe(404);
    expect(fs.existsSync(path.join(svc.config.storageDir, 'jobs', id))).toBe(false);
    expect(fs.existsSync(stale)).toBe(false);
  });
});
