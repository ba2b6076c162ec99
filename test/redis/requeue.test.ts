import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTerminalJob } from '../../src/domain/job.js';
import { bullJobId } from '../../src/queue/bullmq-queue.js';
import { neededTasks } from '../../src/domain/pipeline.js';
import { requeueStaleJobs } from '../../src/pipeline/requeue-sweep.js';
import { sampleJob } from '../contract/job-store.contract.js';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../contract/redis-env.js';
import { waitUntil } from '../contract/wait.js';
import { type Cluster, spawnWorker, startCluster, type WorkerProc } from './processes.js';

describe('neededTasks', () => {
  it('asks for what the record says is due', () => {
    const job = sampleJob();
    expect(neededTasks(job)).toEqual(['prepare']);
    job.prepared = true;
    expect(neededTasks(job).sort()).toEqual(['beats', 'separation']);
    job.stages.separation.status = 'running';
    job.stages.beats.status = 'completed';
    expect(neededTasks(job)).toEqual(['separation']);
    job.stages.separation.status = 'completed';
    expect(neededTasks(job)).toEqual(['transcription']);
    job.stages.transcription.status = 'retrying';
    expect(neededTasks(job)).toEqual(['transcription']);
    job.stages.transcription.status = 'failed';
    expect(neededTasks(job)).toEqual(['assemble']);
  });
});

describe('requeueStaleJobs', () => {
  let cluster: Cluster;
  let worker: WorkerProc | undefined;
  let storePrefix: string;
  let queuePrefix: string;

  beforeEach(async () => {
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'karaoke-requeue-'));
    storePrefix = `${testPrefix('rq-store')}:`;
    queuePrefix = testPrefix('rq-q');
    cluster = await startCluster(TEST_REDIS_URL, storePrefix, queuePrefix, storageDir);
  });
  afterEach(async () => {
    if (worker && worker.proc.exitCode === null) worker.proc.kill('SIGKILL');
    await worker?.exited;
    await cluster.close();
    await deleteKeys(TEST_REDIS_URL, storePrefix);
    await deleteKeys(TEST_REDIS_URL, queuePrefix);
    fs.rmSync(cluster.storageDir, { recursive: true, force: true });
  });

  it('puts back a task BullMQ lost, leaves fresh jobs and present tasks alone, and the job then completes', async () => {
    const { store, queue } = cluster.backends;
    const id = await cluster.submit();
    const raw = new Queue('audio_processing', {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: queuePrefix,
    });
    await raw.remove(bullJobId({ jobId: id, name: 'prepare' })); // the task is lost
    await raw.close();
    expect((await queue.counts()).prepare.waiting).toBe(0);

    expect(await requeueStaleJobs(store, queue)).toBe(0); // just updated: not stale yet
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await requeueStaleJobs(store, queue, { now: later })).toBe(1);
    expect(await requeueStaleJobs(store, queue, { now: later })).toBe(1);
    expect((await queue.counts()).prepare.waiting).toBe(1); // added once, then deduplicated

    worker = spawnWorker({ ...cluster.env, SEP_STEPS: '2', SEP_STEP_MS: '10' });
    await waitUntil(
      async () => {
        const j = await store.get(id);
        return j !== undefined && isTerminalJob(j.status);
      },
      30_000,
      100,
    );
    expect((await store.get(id))?.status).toBe('completed');
  });
});
