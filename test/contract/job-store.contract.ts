import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/domain/job.js';
import { newJobRecord } from '../../src/domain/job.js';
import { jobPaths } from '../../src/storage/paths.js';
import type { JobStore } from '../../src/store/job-store.js';
import { waitUntil } from './wait.js';

/** One store under test plus how to dispose of it (close, delete its keys or files). */
export interface StoreFixture {
  store: JobStore;
  storageDir: string;
  dispose(): Promise<void>;
}

let clock = Date.parse('2026-01-01T00:00:00Z');

/** A fresh job record; creation times increase so listing order is known. */
export function sampleJob(overrides: Partial<JobRecord> = {}): JobRecord {
  clock += 1000;
  return {
    ...newJobRecord({
      id: randomUUID(),
      originalFilename: 'song.mp3',
      fileExt: 'mp3',
      fileSize: 12345,
      audioDuration: 31.5,
      options: { stages: ['separation', 'beats', 'transcription'], language: 'en' },
      now: new Date(clock),
    }),
    ...overrides,
  };
}

function finished(job: JobRecord, status: JobRecord['status'], at: string): JobRecord {
  return { ...job, status, finished_at: at, updated_at: at };
}

/** The JobStore contract (src/store/job-store.ts), run against every implementation. */
export function jobStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`JobStore contract: ${name}`, () => {
    let fx: StoreFixture;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => {
      await fx.dispose();
    });

    it('stores a record and gives back an equal copy', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      expect(await fx.store.get(job.id)).toEqual(job);
      expect(await fx.store.get(randomUUID())).toBeUndefined();
    });

    it('round-trips every kind of field (optional, nested, unicode)', async () => {
      const job = sampleJob({
        original_filename: 'Ünïcödé “song” 🎤.mp3',
        started_at: '2026-01-01T00:00:01.000Z',
      });
      job.stages.separation = {
        ...job.stages.separation,
        status: 'completed',
        progress: 100,
        engine: { name: 'htdemucs-onnx', version: '1', quality: 'model', license: 'research' },
        outputs: { vocals: 'stems/vocals.wav' },
        warnings: ['clipped'],
        duration_s: 12.34,
        finished_at: '2026-01-01T00:00:13.000Z',
      };
      job.summary = {
        tempo_bpm: 121.5,
        time_signature: '4/4',
        downbeats: [0.5, 2.5],
        nested: { a: [1, null, true] },
      };
      job.error = { code: 'X', message: 'y' };
      job.warnings = ['w1'];
      await fx.store.create(job);
      expect(await fx.store.get(job.id)).toEqual(job);
    });

    it('refuses to create a job twice', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      await expect(fx.store.create(job)).rejects.toThrow();
    });

    it('updates, sets updated_at and returns the stored record', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      const out = await fx.store.update(job.id, (j) => {
        j.status = 'processing';
        j.stages.beats.progress = 40;
      });
      expect(out?.status).toBe('processing');
      expect(out?.stages.beats.progress).toBe(40);
      expect(out?.updated_at).not.toBe(job.updated_at);
      const stored = await fx.store.get(job.id);
      expect(stored?.status).toBe('processing');
      expect(stored).toEqual(out);
    });

    it('skips the write when the mutator returns false', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      const out = await fx.store.update(job.id, (j) => {
        j.status = 'failed';
        return false;
      });
      expect(out).toEqual(job);
      expect(await fx.store.get(job.id)).toEqual(job);
    });

    it('writes nothing when the mutator throws, and passes the error on', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      await expect(
        fx.store.update(job.id, (j) => {
          j.status = 'failed';
          throw new Error('bug in mutator');
        }),
      ).rejects.toThrow('bug in mutator');
      expect(await fx.store.get(job.id)).toEqual(job);
      expect((await fx.store.update(job.id, (j) => void (j.progress = 3)))?.progress).toBe(3);
    });

    it('returns undefined when updating a job that does not exist', async () => {
      let called = false;
      expect(await fx.store.update(randomUUID(), () => void (called = true))).toBeUndefined();
      expect(called).toBe(false);
    });

    it('loses no update when many land at once', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      const n = 25;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          fx.store.update(job.id, (j) => {
            j.summary[`k${i}`] = i;
            j.progress += 1;
          }),
        ),
      );
      const stored = await fx.store.get(job.id);
      expect(stored?.progress).toBe(n);
      expect(Object.keys(stored?.summary ?? {})).toHaveLength(n);
    });

    it('two stages finishing at once both land', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      await Promise.all([
        fx.store.update(job.id, (j) => {
          j.stages.separation.status = 'completed';
          j.stages.separation.outputs = { vocals: 'stems/vocals.wav' };
        }),
        fx.store.update(job.id, (j) => {
          j.stages.beats.status = 'completed';
          j.summary.tempo_bpm = 120;
        }),
      ]);
      const stored = await fx.store.get(job.id);
      expect(stored?.stages.separation.status).toBe('completed');
      expect(stored?.stages.beats.status).toBe('completed');
      expect(stored?.summary.tempo_bpm).toBe(120);
    });

    it('lists newest first with offset, limit and total', async () => {
      const jobs = [sampleJob(), sampleJob(), sampleJob(), sampleJob()];
      for (const j of jobs) await fx.store.create(j);
      const page = await fx.store.list({ limit: 2, offset: 1 });
      expect(page.total).toBe(4);
      expect(page.jobs.map((j) => j.id)).toEqual([jobs[2].id, jobs[1].id]);
      expect((await fx.store.list({ limit: 10 })).jobs.map((j) => j.id)).toEqual(
        [...jobs].reverse().map((j) => j.id),
      );
    });

    it("lists one owner's jobs only, with offset, limit and that owner's total", async () => {
      const a = [sampleJob({ owner: 'a' }), sampleJob({ owner: 'a' }), sampleJob({ owner: 'a' })];
      const b = [sampleJob({ owner: 'b' }), sampleJob()];
      for (const j of [a[0], b[0], a[1], b[1], a[2]]) await fx.store.create(j);
      const page = await fx.store.list({ limit: 2, offset: 1, owner: 'a' });
      expect(page.total).toBe(3);
      expect(page.jobs.map((j) => j.id)).toEqual([a[1].id, a[0].id]);
      expect((await fx.store.list({ limit: 10, owner: 'b' })).jobs.map((j) => j.id)).toEqual([b[0].id]);
      expect((await fx.store.list({ limit: 10, owner: 'nobody' })).total).toBe(0);
      expect((await fx.store.list({ limit: 10 })).total).toBe(5);
    });

    it('lists unfinished jobs only', async () => {
      const queued = sampleJob();
      const running = sampleJob({ status: 'processing' });
      const done = finished(sampleJob(), 'completed', '2026-01-02T00:00:00.000Z');
      for (const j of [queued, running, done]) await fx.store.create(j);
      await fx.store.update(running.id, (j) => void (j.status = 'partial'));
      const ids = (await fx.store.listUnfinished()).map((j) => j.id);
      expect(ids).toEqual([queued.id]);
    });

    it('lists terminal jobs that finished before a time', async () => {
      const old = finished(sampleJob(), 'completed', '2026-01-01T00:00:00.000Z');
      const oldFailed = finished(sampleJob(), 'failed', '2026-01-01T06:00:00.000Z');
      const fresh = finished(sampleJob(), 'completed', '2026-01-03T00:00:00.000Z');
      const running = sampleJob({ status: 'processing' });
      for (const j of [old, oldFailed, fresh, running]) await fx.store.create(j);
      const ids = await fx.store.listExpired(new Date('2026-01-02T00:00:00Z'));
      expect(ids.sort()).toEqual([old.id, oldFailed.id].sort());
    });

    it('deletes a job, its directory and its listing; later updates do not resurrect it', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      const dir = jobPaths(fx.storageDir, job.id).dir;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(`${dir}/original.mp3`, 'x');
      await fx.store.delete(job.id);
      expect(await fx.store.get(job.id)).toBeUndefined();
      expect(fs.existsSync(dir)).toBe(false);
      expect((await fx.store.list({ limit: 10 })).total).toBe(0);
      expect(await fx.store.update(job.id, (j) => void (j.progress = 5))).toBeUndefined();
      expect(await fx.store.get(job.id)).toBeUndefined();
    });

    it('tells subscribers about every stored change, until they unsubscribe', async () => {
      const job = sampleJob();
      await fx.store.create(job);
      const seen: number[] = [];
      const off = fx.store.subscribe(job.id, (j) => seen.push(j.progress));
      // Subscribing may take a round trip in a networked store: retry the first write until seen.
      await waitUntil(async () => {
        await fx.store.update(job.id, (j) => void (j.progress = 10));
        return seen.includes(10);
      });
      await fx.store.update(job.id, (j) => void (j.progress = 20));
      await fx.store.update(job.id, (j) => void (j.progress = 30));
      await waitUntil(() => seen.at(-1) === 30);
      off();
      const count = seen.length;
      // A second listener sees each update in order: once it has seen 40, the first would have.
      const witness: number[] = [];
      const offWitness = fx.store.subscribe(job.id, (j) => witness.push(j.progress));
      await waitUntil(async () => {
        await fx.store.update(job.id, (j) => void (j.progress = 40));
        return witness.includes(40);
      });
      offWitness();
      expect(seen.length).toBe(count);
      expect(seen).not.toContain(40);
    });

    it('answers ping', async () => {
      expect(await fx.store.ping()).toBe(true);
    });
  });
}
