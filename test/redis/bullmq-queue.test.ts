import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BullmqQueue } from '../../src/queue/bullmq-queue.js';
import type { Task, TaskHandler } from '../../src/queue/job-queue.js';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../contract/redis-env.js';
import { waitUntil } from '../contract/wait.js';

/** Runs until aborted, then throws like the pipeline does; records tasks seen and aborted. */
function untilAborted() {
  const seen: Task[] = [];
  const aborted: Task[] = [];
  const handler: TaskHandler = async (task, signal) => {
    seen.push(task);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    aborted.push(task);
    throw signal.reason;
  };
  return { handler, seen, aborted };
}

describe('BullmqQueue (Redis-only behaviour)', () => {
  let prefix: string;
  let a: BullmqQueue;
  let b: BullmqQueue; // another process
  let raw: Redis;

  beforeEach(() => {
    prefix = testPrefix('bq');
    a = new BullmqQueue({ url: TEST_REDIS_URL, prefix });
    b = new BullmqQueue({ url: TEST_REDIS_URL, prefix });
    raw = new Redis(TEST_REDIS_URL);
  });
  afterEach(async () => {
    await Promise.all([a.close({ abort: true }), b.close({ abort: true })]);
    raw.disconnect();
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('puts tasks on the design queues under deterministic ids', async () => {
    const jobId = randomUUID();
    await a.enqueue({ jobId, name: 'separation' });
    await a.enqueue({ jobId, name: 'prepare' });
    await a.enqueue({ jobId, name: 'transcription' });
    await a.enqueue({ jobId, name: 'beats' });
    expect(await raw.exists(`${prefix}:stem_separation:${jobId}.separation`)).toBe(1);
    expect(await raw.exists(`${prefix}:audio_processing:${jobId}.prepare`)).toBe(1);
    expect(await raw.exists(`${prefix}:transcription:${jobId}.transcription`)).toBe(1);
    expect(await raw.exists(`${prefix}:beat_analysis:${jobId}.beats`)).toBe(1);
    await b.enqueue({ jobId, name: 'separation' }); // a double submit from another API process
    expect(await raw.llen(`${prefix}:stem_separation:wait`)).toBe(1);
  });

  it('aborts a task running in another process when its job is cancelled', async () => {
    const h = untilAborted();
    const jobId = randomUUID();
    a.work('separation', 1, h.handler);
    await b.enqueue({ jobId, name: 'separation' });
    await waitUntil(() => h.seen.length === 1);
    await b.cancelJob(jobId);
    await waitUntil(() => h.aborted.length === 1);
  });

  it('hands running tasks back on close({ abort }) so another worker runs them at once', async () => {
    const h = untilAborted();
    const jobId = randomUUID();
    a.work('beats', 1, h.handler);
    await a.enqueue({ jobId, name: 'beats' });
    await waitUntil(() => h.seen.length === 1);
    await a.close({ abort: true });
    expect(h.aborted).toHaveLength(1);
    expect((await b.counts()).beats.waiting).toBe(1);
    const again: Task[] = [];
    b.work('beats', 1, async (t) => void again.push(t));
    await waitUntil(() => again.length === 1);
    expect(again[0]).toEqual({ jobId, name: 'beats' });
  });

  it('counts worker processes per queue and tasks per kind on the shared queue', async () => {
    a.work('separation', 1, async () => undefined);
    b.work('separation', 1, async () => undefined);
    b.work('transcription', 1, async () => undefined);
    await waitUntil(async () => {
      const w = await a.workerCounts();
      return w.stem_separation === 2 && w.transcription === 1;
    });
    expect((await a.workerCounts()).audio_processing).toBe(0);
    await a.enqueue({ jobId: randomUUID(), name: 'prepare' });
    await a.enqueue({ jobId: randomUUID(), name: 'prepare' });
    await a.enqueue({ jobId: randomUUID(), name: 'assemble' });
    const c = await a.counts();
    expect(c.prepare).toEqual({ waiting: 2, active: 0 });
    expect(c.assemble).toEqual({ waiting: 1, active: 0 });
  });

  it('drops a message that is not one of its tasks, once, without running a handler (audit 5)', async () => {
    const seen: Task[] = [];
    for (const name of ['prepare', 'assemble', 'separation'] as const)
      a.work(name, 1, async (t) => void seen.push(t));
    const foreign = async (queue: string, name: string, data: unknown) => {
      const q = new Queue(queue, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
      // As a stranger writes it: no removal options of its own.
      await q.add(name, data as { jobId: string });
      await q.close();
    };
    const jobId = randomUUID();
    await foreign('audio_processing', 'nope', { jobId }); // a name no worker takes: was delayed for ever
    await foreign('audio_processing', 'prepare', {}); // no job id: reached the handler as undefined
    await foreign('audio_processing', 'prepare', { jobId: '../../x' });
    await foreign('audio_processing', 'prepare', null);
    await foreign('stem_separation', 'prepare', { jobId }); // a task of another queue
    await a.enqueue({ jobId, name: 'separation' });
    const queues = ['audio_processing', 'stem_separation'].map(
      (name) => new Queue(name, { connection: { host: '127.0.0.1', port: 6379 }, prefix }),
    );
    try {
      const left = async () => {
        let n = 0;
        for (const q of queues) for (const c of Object.values(await q.getJobCounts())) n += c;
        return n;
      };
      await waitUntil(async () => seen.length === 1 && (await left()) === 0, 30_000, 100);
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
    expect(seen).toEqual([{ jobId, name: 'separation' }]);
  });
});
