import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/domain/job.js';
import { RedisJobStore } from '../../src/store/redis-job-store.js';
import { sampleJob } from '../contract/job-store.contract.js';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../contract/redis-env.js';
import { waitUntil } from '../contract/wait.js';

const TTL_S = 600;

describe('RedisJobStore (Redis-only behaviour)', () => {
  let storageDir: string;
  let prefix: string;
  let a: RedisJobStore;
  let b: RedisJobStore; // a second "process" on the same Redis
  let raw: Redis;

  beforeEach(() => {
    storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'karaoke-rstore-'));
    prefix = `${testPrefix('rstore')}:`;
    a = new RedisJobStore({ url: TEST_REDIS_URL, storageDir, prefix, ttlS: TTL_S });
    b = new RedisJobStore({ url: TEST_REDIS_URL, storageDir, prefix, ttlS: TTL_S });
    raw = new Redis(TEST_REDIS_URL);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    raw.disconnect();
    await deleteKeys(TEST_REDIS_URL, prefix);
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  it('keeps a job in the hash job:{id}, indexed by creation time', async () => {
    const job = sampleJob();
    await a.create(job);
    const h = await raw.hgetall(`${prefix}job:${job.id}`);
    expect(h.status).toBe('queued');
    expect(h.job_dir).toBe(path.join(storageDir, 'jobs', job.id));
    expect(await raw.zscore(`${prefix}jobs:index`, job.id)).toBe(String(Date.parse(job.created_at)));
    expect(await raw.sismember(`${prefix}jobs:unfinished`, job.id)).toBe(1);
  });

  it('sets a TTL once the job is finished, not before', async () => {
    const job = sampleJob();
    await a.create(job);
    expect(await raw.ttl(`${prefix}job:${job.id}`)).toBe(-1);
    await a.update(job.id, (j) => void (j.status = 'processing'));
    expect(await raw.ttl(`${prefix}job:${job.id}`)).toBe(-1);
    await a.update(job.id, (j) => {
      j.status = 'completed';
      j.finished_at = new Date().toISOString();
    });
    const ttl = await raw.ttl(`${prefix}job:${job.id}`);
    expect(ttl).toBeGreaterThan(TTL_S - 5);
    expect(ttl).toBeLessThanOrEqual(TTL_S);
    expect(await raw.sismember(`${prefix}jobs:unfinished`, job.id)).toBe(0);
  });

  it('prunes listings of jobs whose hash has expired, but still reports them for cleanup', async () => {
    const gone = sampleJob({ status: 'completed', finished_at: '2026-01-01T00:00:00.000Z' });
    const kept = sampleJob();
    await a.create(gone);
    await a.create(kept);
    await raw.del(`${prefix}job:${gone.id}`); // what EXPIRE does
    const page = await a.list({ limit: 10 });
    expect(page.jobs.map((j) => j.id)).toEqual([kept.id]);
    expect(page.total).toBe(1);
    expect(await a.listExpired(new Date('2026-02-01T00:00:00Z'))).toEqual([gone.id]);
    await a.delete(gone.id);
    expect(await a.listExpired(new Date('2026-02-01T00:00:00Z'))).toEqual([]);
  });

  it('loses no update when two processes update the same job at once', async () => {
    const job = sampleJob();
    await a.create(job);
    const n = 30;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        (i % 2 ? a : b).update(job.id, (j) => {
          j.summary[`k${i}`] = i;
          j.progress += 1;
        }),
      ),
    );
    const stored = await a.get(job.id);
    expect(stored?.progress).toBe(n);
    expect(Object.keys(stored?.summary ?? {})).toHaveLength(n);
    expect(Number(await raw.hget(`${prefix}job:${job.id}`, 'rev'))).toBe(n + 1);
  });

  it('tells subscribers about changes made by another process', async () => {
    const job = sampleJob();
    await a.create(job);
    const seen: JobRecord[] = [];
    const off = a.subscribe(job.id, (j) => seen.push(j));
    await waitUntil(async () => {
      await b.update(job.id, (j) => void (j.current_step = 'separation'));
      return seen.length > 0;
    });
    await b.update(job.id, (j) => void (j.progress = 77));
    await waitUntil(() => seen.at(-1)?.progress === 77);
    expect(seen.at(-1)).toEqual(await b.get(job.id));
    off();
  });

  // Audit 5: anyone who can write to Redis can publish on a job's channel. `null` threw in the
  // subscriber's handler (an uncaught exception: the API process ended), `{}` or another job's
  // record reached the event streams as this job.
  it('ignores a message on a job channel that is not the record of that job', async () => {
    const job = sampleJob();
    const other = sampleJob();
    await a.create(job);
    const seen: JobRecord[] = [];
    const off = a.subscribe(job.id, (j) => seen.push(j));
    const channel = `${prefix}job-events:${job.id}`;
    await waitUntil(async () => ((await raw.pubsub('NUMSUB', channel)) as [string, number])[1] > 0);
    for (const m of [
      'null',
      '{}',
      '[]',
      '"x"',
      'not json',
      JSON.stringify(other),
      JSON.stringify({ ...job, stages: 1 }),
    ])
      await raw.publish(channel, m);
    await b.update(job.id, (j) => void (j.progress = 42));
    await waitUntil(() => seen.length > 0);
    expect(seen).toEqual([await b.get(job.id)]);
    off();
  });
});
