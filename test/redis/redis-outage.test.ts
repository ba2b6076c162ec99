import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisJobStore } from '../../src/store/redis-job-store.js';
import { sampleJob } from '../contract/job-store.contract.js';
import { waitUntil } from '../contract/wait.js';
import { type OwnRedis, startOwnRedis } from './redis-server.js';

/** A store that queued commands while Redis is down would hang here until this test timeout. */
const TEST_TIMEOUT_MS = 30_000;

describe('RedisJobStore while Redis is down', () => {
  let redis: OwnRedis;
  let store: RedisJobStore;
  let storageDir: string;

  beforeAll(async () => {
    redis = await startOwnRedis();
    storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'karaoke-outage-'));
    store = new RedisJobStore({ url: redis.url, storageDir, ttlS: 60 });
  });
  afterAll(async () => {
    await store.close();
    await redis.dispose();
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  it(
    'fails fast with REDIS_UNAVAILABLE (503) and recovers by itself',
    async () => {
      const job = sampleJob();
      await store.create(job);
      await redis.stop();
      for (const call of [
        () => store.get(job.id),
        () => store.update(job.id, (j) => void (j.progress = 1)),
        () => store.list({ limit: 5 }),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE', status: 503 });
      }
      expect(await store.ping()).toBe(false);
      await redis.start();
      await waitUntil(() => store.ping(), 15_000, 100);
      expect((await store.get(job.id))?.id).toBe(job.id);
      expect((await store.update(job.id, (j) => void (j.progress = 5)))?.progress).toBe(5);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'settles every update while Redis is down, including those queued behind one in flight',
    async () => {
      const job = sampleJob();
      await store.create(job);
      const settled: boolean[] = [];
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          settled[i] = false;
          void store
            .update(job.id, (j) => void (j.progress = i))
            .then(
              () => (settled[i] = true),
              () => (settled[i] = true),
            );
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      await waitUntil(() => settled.filter(Boolean).length > 5);
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1500));
      writing = false;
      await writer;
      // Still without Redis: a command in flight at the disconnect must not hold up the job's later updates.
      await waitUntil(() => settled.every(Boolean), 8000, 50);
      await redis.start();
      await waitUntil(() => store.ping(), 15_000, 100);
    },
    TEST_TIMEOUT_MS,
  );
});
