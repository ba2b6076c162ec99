import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../contract/redis-env.js';
import { startTestService, type TestService } from '../helpers/services.js';
import { expectCorruptAndDeletable, finishedJob, plantRecord } from './helpers.js';

/**
 * Audit 7, row 9 (Redis mode): audit 5 made a record that is not a record of its job a `corrupt`
 * job. A record that passed that check with a field a status shows of the wrong type (`error`
 * as a string, a stage's `engine` or `duration_s` as a string, `summary.tempo_bpm: "fast"`)
 * could not be written as a status: its status was 500, and so was every `GET /api/jobs`
 * listing it (the admin's, or with keys off everyone's). It is now a `corrupt` job too.
 */
let svc: TestService;
let raw: Redis;
let prefix: string;
let good: Record<string, unknown>;
beforeAll(async () => {
  svc = await startTestService({ mode: 'distributed' });
  raw = new Redis(TEST_REDIS_URL);
  const id = await finishedJob(svc);
  const [key] = await raw.keys(`test-svc-*:job:${id}`);
  prefix = key!.slice(0, -`job:${id}`.length);
  good = JSON.parse((await raw.hget(key!, 'record'))!) as Record<string, unknown>;
});
afterAll(async () => {
  raw.disconnect();
  await svc.close();
});

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('audit 7: a job record with a shown field of the wrong type', () => {
  it.each<[string, (r: Rec) => void]>([
    ['error as a string', (r) => (r.error = 'boom')],
    ['error without a code', (r) => (r.error = { message: 'x' })],
    ['a stage error as a string', (r) => (r.stages.beats.error = 'boom')],
    ['a stage engine as a string', (r) => (r.stages.separation.engine = 'fake')],
    ['a stage duration as a string', (r) => (r.stages.beats.duration_s = 'long')],
    ['summary.tempo_bpm as a word', (r) => (r.summary.tempo_bpm = 'fast')],
    ['summary.word_count as an object', (r) => (r.summary.word_count = { n: 1 })],
  ])('%s: listed and shown as corrupt, deletable', async (_name, spoil) => {
    const id = randomUUID();
    const record = structuredClone(good) as Rec;
    record.id = id;
    spoil(record);
    await plantRecord(raw, prefix, id, JSON.stringify(record));
    await expectCorruptAndDeletable(svc, id);
  });

  it('a real record, with the free summary keys (a tempo curve), is kept as it is', async () => {
    const id = randomUUID();
    const record = structuredClone(good) as Rec;
    record.id = id;
    record.summary.tempo_curve = [{ time: 0, bpm: 120 }];
    record.summary.key = null;
    record.summary.toString = 'x';
    await raw.hset(`${prefix}job:${id}`, 'record', JSON.stringify(record), 'status', 'completed');
    await raw.zadd(`${prefix}jobs:index`, Date.now(), id);
    const status = await svc.app.inject(`/api/status/${id}`);
    expect(status.statusCode, status.body).toBe(200);
    expect(status.json().status).toBe('completed');
    await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
  });
});
