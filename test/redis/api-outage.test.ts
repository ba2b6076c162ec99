import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService } from '../helpers/services.js';
import { waitUntil } from '../contract/wait.js';
import { type OwnRedis, startOwnRedis } from './redis-server.js';

/** Enough for a reconnect after Redis is back (reconnect delays are capped at 2 s). */
const RECOVERY_MS = 20_000;

describe('HTTP API in distributed mode while Redis stops and comes back', () => {
  let redis: OwnRedis;
  let svc: TestService;

  beforeAll(async () => {
    redis = await startOwnRedis();
    svc = await startTestService({ config: { redis: { url: redis.url } }, workers: false });
  });
  afterAll(async () => {
    await svc?.close();
    await redis?.dispose();
  });

  const upload = () => {
    const body = multipart([{ name: 'file', value: toneWav(1), filename: 'tone.wav' }]);
    return svc.app.inject({
      method: 'POST',
      url: '/api/process',
      payload: body.payload,
      headers: body.headers,
    });
  };

  it('answers 503 on routes that need Redis, and recovers by itself', async () => {
    const created = await upload();
    expect(created.statusCode).toBeLessThan(300);
    const id = (created.json() as { job_id: string }).job_id;
    expect((await svc.app.inject({ url: `/api/status/${id}` })).statusCode).toBe(200);
    const healthy = await svc.app.inject({ url: '/health' });
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json()).toMatchObject({ mode: 'distributed', redis: { connected: true } });

    await redis.stop();
    const status = await svc.app.inject({ url: `/api/status/${id}` });
    expect(status.statusCode).toBe(503);
    expect(status.json()).toEqual({
      error: { code: 'REDIS_UNAVAILABLE', message: 'the job store is unavailable' },
    });
    expect((await upload()).statusCode).toBe(503);
    const down = await svc.app.inject({ url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'degraded', redis: { connected: false } });

    await redis.start();
    await waitUntil(
      async () => (await svc.app.inject({ url: `/api/status/${id}` })).statusCode === 200,
      RECOVERY_MS,
      200,
    );
    // The queue's own connections (health reads queue lengths through them) reconnect on their own schedule.
    await waitUntil(
      async () => (await svc.app.inject({ url: '/health' })).statusCode === 200,
      RECOVERY_MS,
      200,
    );
    expect((await upload()).statusCode).toBeLessThan(300);
  }, 60_000);
});
