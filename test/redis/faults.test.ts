import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTerminalJob } from '../../src/domain/job.js';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../contract/redis-env.js';
import { waitUntil } from '../contract/wait.js';
import { type Cluster, readRuns, spawnWorker, startCluster, type WorkerProc } from './processes.js';

/**
 * Short locks so a dead worker's task is taken over within seconds, not the production 30 s.
 * Not too short: on a loaded machine a live worker can miss a renewal and lose a task it is
 * still running (the task then runs twice, which handlers tolerate but the tests would count).
 */
const LOCK_MS = '4000';
/** The production lock, for tests where no worker dies. */
const PRODUCTION_LOCK_MS = '30000';
const BURST = 50;

describe('distributed mode with real worker processes', () => {
  let cluster: Cluster;
  let workers: WorkerProc[] = [];
  let storePrefix: string;
  let queuePrefix: string;

  beforeEach(async () => {
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'karaoke-faults-'));
    storePrefix = `${testPrefix('fault-store')}:`;
    queuePrefix = testPrefix('fault-q');
    cluster = await startCluster(TEST_REDIS_URL, storePrefix, queuePrefix, storageDir);
  });
  afterEach(async () => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    workers = [];
    await cluster.close();
    await deleteKeys(TEST_REDIS_URL, storePrefix);
    await deleteKeys(TEST_REDIS_URL, queuePrefix);
    fs.rmSync(cluster.storageDir, { recursive: true, force: true });
  });

  const start = async (n: number, extra: Record<string, string>) => {
    workers = Array.from({ length: n }, () => spawnWorker({ ...cluster.env, LOCK_MS, ...extra }));
    await Promise.all(workers.map((w) => w.waitFor((e) => e.event === 'ready')));
  };
  const finished = (id: string, timeoutMs = 60_000) =>
    waitUntil(
      async () => {
        const j = await cluster.backends.store.get(id);
        return j !== undefined && isTerminalJob(j.status);
      },
      timeoutMs,
      100,
    );

  it('a job completes although its worker is killed (-9) in the middle of separation', async () => {
    await start(2, { SEP_STEPS: '20', SEP_STEP_MS: '150' });
    const id = await cluster.submit();
    await waitUntil(
      async () => ((await cluster.backends.store.get(id))?.stages.separation.progress ?? 0) > 0,
      30_000,
    );
    const victim = workers.find((w) => w.events.some((e) => e.stage === 'separation' && e.jobId === id));
    expect(victim).toBeDefined();
    victim?.proc.kill('SIGKILL');
    await finished(id);
    const job = await cluster.backends.store.get(id);
    expect(job?.status).toBe('completed');
    expect(job?.stages.transcription.status).toBe('completed');
    const sepRuns = readRuns(cluster.runLog).filter((r) => r.stage === 'separation');
    const survivor = workers.find((w) => w !== victim);
    expect(sepRuns[0].pid).toBe(victim?.pid);
    expect(sepRuns.slice(1).map((r) => r.pid)).toContain(survivor?.pid);
  });

  it('a SIGTERM hands the running stage back, and another worker finishes it without waiting for the lock', async () => {
    await start(1, { SEP_STEPS: '20', SEP_STEP_MS: '150', LOCK_MS: '60000' });
    const [first] = workers;
    const id = await cluster.submit();
    await first.waitFor((e) => e.stage === 'separation' && e.jobId === id);
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const running = await cluster.backends.store.get(id);
    expect(running?.stages.separation.status).toBe('running'); // not recorded as cancelled
    const second = spawnWorker({ ...cluster.env, LOCK_MS: '60000', SEP_STEPS: '2', SEP_STEP_MS: '10' });
    workers.push(second);
    await finished(id, 20_000); // far less than the 60 s lock: the task was handed back, not left to stall
    expect((await cluster.backends.store.get(id))?.status).toBe('completed');
  });

  it(`a burst of ${BURST} jobs on 2 workers: all complete, no stage runs twice`, async () => {
    await start(2, { SEP_STEPS: '2', SEP_STEP_MS: '10', CONCURRENCY: '3', LOCK_MS: PRODUCTION_LOCK_MS });
    const ids: string[] = [];
    for (let i = 0; i < BURST; i++) ids.push(await cluster.submit());
    for (const id of ids) await finished(id, 90_000);
    const jobs = await Promise.all(ids.map((id) => cluster.backends.store.get(id)));
    expect(jobs.map((j) => j?.status)).toEqual(ids.map(() => 'completed'));
    const runs = readRuns(cluster.runLog);
    const keys = runs.map((r) => `${r.jobId} ${r.stage}`);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(twice).toEqual([]);
    expect(new Set(keys).size).toBe(BURST * 3);
    expect(new Set(runs.map((r) => r.pid)).size).toBe(2);
    const health = await cluster.backends.health();
    expect(health.ok).toBe(true);
    expect(health.workers.stem_separation).toBe(2);
  });
});
