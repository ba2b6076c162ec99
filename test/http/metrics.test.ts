import { afterEach, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';
import { ADMIN, KEY_A, withSecurity } from '../hostile/helpers.js';

let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

describe('/metrics', () => {
  it('exposes process, event-loop, HTTP latency and stage duration metrics', async () => {
    svc = await startTestService();
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const id = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json()
      .job_id;
    await waitForJob(svc.services, id);
    await svc.app.inject(`/api/status/${id}`);
    // Stage durations are recorded just after the job's final status is stored.
    await expect
      .poll(async () => (await svc!.app.inject('/metrics')).body)
      .toContain('karaoke_stage_duration_seconds_bucket');
    const res = await svc.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'karaoke_http_request_duration_seconds_bucket',
      'karaoke_stage_duration_seconds_bucket',
      'karaoke_jobs_submitted_total',
      'karaoke_jobs_finished_total',
      'karaoke_queue_tasks',
    ])
      expect(text, name).toContain(name);
    // Routes are labelled by pattern, never by the raw URL (bounded label values).
    expect(text).toContain('route="/api/status/:job_id"');
    expect(text).not.toContain(id);
  });

  it('is open unless METRICS_KEY is set; then it needs that key (or the admin key)', async () => {
    svc = await startTestService({
      config: withSecurity({ metricsKey: 'metrics-key-0123456789', adminKey: ADMIN }, { apiKeys: [KEY_A] }),
    });
    expect((await svc.app.inject('/metrics')).statusCode).toBe(401);
    expect((await svc.app.inject({ url: '/metrics', headers: { 'x-api-key': KEY_A } })).statusCode).toBe(401);
    expect(
      (await svc.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-key-0123456789' } }))
        .statusCode,
    ).toBe(200);
    expect((await svc.app.inject({ url: '/metrics', headers: { 'x-api-key': ADMIN } })).statusCode).toBe(200);
    expect((await svc.app.inject('/health')).statusCode).toBe(200);
  });
});
