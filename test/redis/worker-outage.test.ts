import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTerminalJob } from '../../src/domain/job.js';
import { waitUntil } from '../contract/wait.js';
import { type Cluster, spawnWorker, startCluster, type WorkerProc } from './processes.js';
import { type OwnRedis, startOwnRedis } from './redis-server.js';

describe('workers while Redis restarts', () => {
  let redis: OwnRedis;
  let cluster: Cluster;
  let worker: WorkerProc | undefined;

  beforeEach(async () => {
    redis = await startOwnRedis();
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'karaoke-wout-'));
    cluster = await startCluster(redis.url, '', 'bull', storageDir);
  });
  afterEach(async () => {
    if (worker && worker.proc.exitCode === null) worker.proc.kill('SIGKILL');
    await worker?.exited;
    await cluster.close();
    await redis.dispose();
    fs.rmSync(cluster.storageDir, { recursive: true, force: true });
  });

  it('a job whose stage was running when Redis went down still completes once Redis is back', async () => {
    worker = spawnWorker({
      ...cluster.env,
      LOCK_MS: '3000',
      SEP_STEPS: '15',
      SEP_STEP_MS: '100',
    });
    await worker.waitFor((e) => e.event === 'ready');
    const id = await cluster.submit();
    await worker.waitFor((e) => e.stage === 'separation' && e.jobId === id);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 2000)); // the stage ends (or fails to record) while Redis is away
    await redis.start();
    await waitUntil(
      async () => {
        const j = await cluster.backends.store.get(id).catch(() => undefined);
        return j !== undefined && isTerminalJob(j.status);
      },
      // Generous: on a loaded machine the worker's lock can lapse while Redis is away, and the
      // task then comes back through BullMQ's stalled-job check (seconds alone, a minute under load).
      150_000,
      200,
    );
    const job = await cluster.backends.store.get(id);
    expect(job?.status).toBe('completed');
    expect(worker.proc.exitCode).toBeNull();
  }, 200_000);
});
