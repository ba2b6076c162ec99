import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../contract/redis-env.js';
import { startTestService, type TestService } from '../helpers/services.js';
import { expectCorruptAndDeletable, finishedJob, plantRecord } from './helpers.js';

/**
 * Audit 5, finding 10 (Redis mode): a job hash whose record is not a valid record of its job
 * (garbage, `null`, `{}`, another id), written by hand, by another version or by anyone with
 * access to Redis. Reading it threw: its status and DELETE were 500, and so was
 * `GET /api/jobs` for every client while it was in the index. It is now shown as a `corrupt`
 * job that can be deleted, as the file store quarantines a bad job.json.
 */
let svc: TestService;
let raw: Redis;
let prefix: string;
beforeAll(async () => {
  svc = await startTestService({ mode: 'distributed' });
  raw = new Redis(TEST_REDIS_URL);
  const good = await finishedJob(svc);
  const [key] = await raw.keys(`test-svc-*:job:${good}`);
  prefix = key!.slice(0, -`job:${good}`.length);
});
afterAll(async () => {
  raw.disconnect();
  await svc.close();
});

describe('a job hash with an unusable record', () => {
  it.each([['garbage'], ['null'], ['{}'], ['{"id":"x","stages":{}}']])('%s', async (record) => {
    const id = randomUUID();
    await plantRecord(raw, prefix, id, record);
    await expectCorruptAndDeletable(svc, id);
    expect(await raw.exists(`${prefix}job:${id}`)).toBe(0);
  });
});
