import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { fakeSeparation, hanging } from '../helpers/fake-stages.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';

let svc: TestService;
const hang = hanging();

async function submit(fields: Record<string, string> = {}): Promise<string> {
  const { payload, headers } = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    { name: 'file', value: toneWav(1), filename: 'a.wav' },
  ]);
  const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
  expect(res.statusCode).toBe(202);
  return res.json().job_id;
}

beforeAll(async () => {
  // Separation hangs when the engine option "htdemucs" is asked for, so a job can be caught mid-stage.
  const sep = fakeSeparation();
  svc = await startTestService({
    handlers: { separation: (ctx) => (ctx.options.separationEngine === 'htdemucs' ? hang(ctx) : sep(ctx)) },
  });
});
afterAll(() => svc.close());

describe('job routes', () => {
  it('status: 400 for a malformed id, 404 for an unknown one', async () => {
    const bad = await svc.app.inject('/api/status/not-a-uuid');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBeDefined();
    const missing = await svc.app.inject('/api/status/6f1c7a8e-1111-4222-8333-944445555666');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('lists recent jobs newest first with paging', async () => {
    const a = await submit();
    const b = await submit();
    await waitForJob(svc.services, a);
    await waitForJob(svc.services, b);
    const res = await svc.app.inject('/api/jobs?limit=1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.jobs).toHaveLength(1);
    expect(body.total).toBeGreaterThanOrEqual(2);
    expect(body.jobs[0].job_id).toBe(b);
    expect((await svc.app.inject('/api/jobs?limit=0')).statusCode).toBe(400);
  });

  it('results: 409 while the job runs; cancel stops it, keeps the record and removes partial outputs', async () => {
    const id = await submit({ separation_engine: 'htdemucs' });
    await hang.started;
    await waitForJob(svc.services, id, (j) => j.stages.separation.status === 'running');
    const early = await svc.app.inject(`/api/results/${id}`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('JOB_NOT_FINISHED');

    const res = await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    const job = await waitForJob(svc.services, id, (j) => j.stages.separation.status === 'cancelled');
    expect(job.status).toBe('cancelled');
    const dir = path.join(svc.config.storageDir, 'jobs', id);
    expect(
      fs
        .readdirSync(dir)
        .filter((f) => !f.endsWith('.tmp'))
        .sort(),
    ).toEqual(['job.json', 'original.wav']);
    expect((await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel` })).statusCode).toBe(409);
  });

  it('DELETE removes a job and its files', async () => {
    const id = await submit();
    await waitForJob(svc.services, id);
    const res = await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ job_id: id, deleted: true });
    expect(fs.existsSync(path.join(svc.config.storageDir, 'jobs', id))).toBe(false);
    expect((await svc.app.inject(`/api/status/${id}`)).statusCode).toBe(404);
    expect((await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}` })).statusCode).toBe(404);
  });

  it('SSE streams status events until the job ends', async () => {
    const id = await submit();
    const res = await svc.app.inject(`/api/jobs/${id}/events`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = res.body
      .split('\n\n')
      .filter((e) => e.startsWith('event: status'))
      .map((e) => JSON.parse(e.split('\ndata: ')[1]));
    expect(events.length).toBeGreaterThanOrEqual(1);
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(events.at(-1).status).toBe('completed');
    expect(res.body).toContain('event: end');
  });
});

describe('service routes', () => {
  it('GET /health reports mode and queues', async () => {
    const res = await svc.app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      mode: 'embedded',
      queues: { separation: { waiting: expect.any(Number) } },
    });
  });

  it('GET /metrics is Prometheus text', async () => {
    const res = await svc.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('# TYPE karaoke_jobs_submitted_total counter');
    expect(res.body).toMatch(/karaoke_queue_tasks\{[^}]*task="separation"/);
  });

  it('GET /docs serves Swagger UI and the OpenAPI document lists every route', async () => {
    expect((await svc.app.inject('/docs')).statusCode).toBeLessThan(400);
    const spec = (await svc.app.inject('/docs/json')).json();
    for (const p of [
      '/health',
      '/api/process',
      '/api/status/{job_id}',
      '/api/results/{job_id}',
      '/api/jobs',
      '/api/jobs/{job_id}',
      '/api/jobs/{job_id}/events',
      '/api/files/{job_id}/{path}',
    ]) {
      expect(Object.keys(spec.paths)).toContain(p);
    }
  });

  it('unknown routes get the error shape', async () => {
    const res = await svc.app.inject('/api/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });

  it('sets security headers', async () => {
    const res = await svc.app.inject('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
