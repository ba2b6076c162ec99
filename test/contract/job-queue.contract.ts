import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue, Task, TaskHandler } from '../../src/queue/job-queue.js';
import { waitUntil } from './wait.js';

export interface QueueFixture {
  queue: JobQueue;
  dispose(): Promise<void>;
}

/** A handler that records what it saw and stays busy until released (or aborted). */
function gate() {
  const seen: Task[] = [];
  const aborted: Task[] = [];
  let release!: () => void;
  let released = new Promise<void>((r) => (release = r));
  let active = 0;
  let maxActive = 0;
  const handler: TaskHandler = async (task, signal) => {
    seen.push(task);
    active++;
    maxActive = Math.max(maxActive, active);
    try {
      await new Promise<void>((resolve) => {
        void released.then(resolve);
        signal.addEventListener('abort', () => {
          aborted.push(task);
          resolve();
        });
      });
    } finally {
      active--;
    }
  };
  return {
    handler,
    seen,
    aborted,
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
    open() {
      release();
    },
    close() {
      released = new Promise<void>((r) => (release = r));
    },
  };
}

const idle = (c: { waiting: number; active: number }) => c.waiting === 0 && c.active === 0;

const instant =
  (seen: Task[]): TaskHandler =>
  async (task) =>
    void seen.push(task);

/** The JobQueue contract (src/queue/job-queue.ts), run against every implementation. */
export function jobQueueContract(name: string, open: () => Promise<QueueFixture>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let fx: QueueFixture;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => {
      await fx.dispose();
    });

    it('runs an enqueued task with its job id and name, also if enqueued before work()', async () => {
      const seen: Task[] = [];
      const a = randomUUID();
      const b = randomUUID();
      await fx.queue.enqueue({ jobId: a, name: 'beats' });
      fx.queue.work('beats', 1, instant(seen));
      await fx.queue.enqueue({ jobId: b, name: 'beats' });
      await waitUntil(() => seen.length === 2);
      expect(seen.map((t) => t.jobId).sort()).toEqual([a, b].sort());
      expect(seen.every((t) => t.name === 'beats')).toBe(true);
    });

    it('keeps task kinds apart, including the two that share a queue in distributed mode', async () => {
      const prepared: Task[] = [];
      const assembled: Task[] = [];
      const id = randomUUID();
      fx.queue.work('prepare', 1, instant(prepared));
      fx.queue.work('assemble', 1, instant(assembled));
      await fx.queue.enqueue({ jobId: id, name: 'prepare' });
      await fx.queue.enqueue({ jobId: id, name: 'assemble' });
      await waitUntil(() => prepared.length === 1 && assembled.length === 1);
      expect(prepared[0]).toEqual({ jobId: id, name: 'prepare' });
      expect(assembled[0]).toEqual({ jobId: id, name: 'assemble' });
    });

    it('does not add a task that is already waiting', async () => {
      const seen: Task[] = [];
      const id = randomUUID();
      await fx.queue.enqueue({ jobId: id, name: 'separation' });
      await fx.queue.enqueue({ jobId: id, name: 'separation' });
      const counts = await fx.queue.counts();
      expect(counts.separation.waiting).toBe(1);
      fx.queue.work('separation', 2, instant(seen));
      await waitUntil(() => seen.length === 1);
      await waitUntil(async () => idle((await fx.queue.counts()).separation));
      expect(seen).toHaveLength(1);
    });

    it('does not add a task that is running, but runs it again once it has finished', async () => {
      const g = gate();
      const id = randomUUID();
      fx.queue.work('transcription', 2, g.handler);
      await fx.queue.enqueue({ jobId: id, name: 'transcription' });
      await waitUntil(() => g.active === 1);
      await fx.queue.enqueue({ jobId: id, name: 'transcription' });
      g.open();
      // A duplicate would be waiting (or running) until it had run too.
      await waitUntil(async () => g.active === 0 && idle((await fx.queue.counts()).transcription));
      expect(g.seen).toHaveLength(1);
      await fx.queue.enqueue({ jobId: id, name: 'transcription' });
      await waitUntil(() => g.seen.length === 2);
    });

    it('runs at most `concurrency` tasks of a kind at once and counts waiting and active', async () => {
      const g = gate();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      fx.queue.work('beats', 2, g.handler);
      for (const jobId of ids) await fx.queue.enqueue({ jobId, name: 'beats' });
      await waitUntil(() => g.active === 2);
      await waitUntil(async () => {
        const c = (await fx.queue.counts()).beats;
        return c.active === 2 && c.waiting === 1;
      });
      g.open();
      await waitUntil(() => g.seen.length === 3 && g.active === 0);
      expect(g.maxActive).toBe(2);
    });

    it('cancelJob drops waiting tasks and aborts running ones of that job only', async () => {
      const g = gate();
      const victim = randomUUID();
      const other = randomUUID();
      fx.queue.work('separation', 2, g.handler);
      await fx.queue.enqueue({ jobId: victim, name: 'separation' });
      await fx.queue.enqueue({ jobId: other, name: 'separation' });
      await fx.queue.enqueue({ jobId: victim, name: 'transcription' }); // no handler yet: waits
      await waitUntil(() => g.active === 2);
      await fx.queue.cancelJob(victim);
      await waitUntil(() => g.aborted.length === 1);
      expect(g.aborted[0].jobId).toBe(victim);
      const seenTranscription: Task[] = [];
      fx.queue.work('transcription', 1, instant(seenTranscription));
      // A task enqueued after the victim's runs after it: once it has run, the victim's would have.
      await fx.queue.enqueue({ jobId: other, name: 'transcription' });
      await waitUntil(() => seenTranscription.length > 0);
      expect(seenTranscription.map((t) => t.jobId)).toEqual([other]);
      expect(g.active).toBe(1);
      g.open();
      await waitUntil(() => g.active === 0);
    });

    it('close() lets running tasks finish and takes no new ones', async () => {
      const g = gate();
      fx.queue.work('beats', 1, g.handler);
      await fx.queue.enqueue({ jobId: randomUUID(), name: 'beats' });
      await waitUntil(() => g.active === 1);
      // Had close() not waited, it would settle while the task is still held by the gate.
      let activeWhenClosed = -1;
      const closing = fx.queue.close().then(() => (activeWhenClosed = g.active));
      g.open();
      await closing;
      expect(activeWhenClosed).toBe(0);
      expect(g.aborted).toHaveLength(0);
      expect(g.seen).toHaveLength(1);
    });

    it('close({ abort: true }) aborts running tasks and waits for them to settle', async () => {
      const g = gate();
      fx.queue.work('beats', 1, g.handler);
      await fx.queue.enqueue({ jobId: randomUUID(), name: 'beats' });
      await waitUntil(() => g.active === 1);
      await fx.queue.close({ abort: true });
      expect(g.aborted).toHaveLength(1);
      expect(g.active).toBe(0);
    });
  });
}
