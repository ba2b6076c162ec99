import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDistributedBackends } from '../../src/backends/distributed.js';
import type { Backends } from '../../src/backends/types.js';
import { testConfig } from '../../src/config.js';
import { isTerminalJob } from '../../src/domain/job.js';
import { findMediaTools } from '../../src/infra/ffmpeg.js';
import { silentLogger } from '../../src/infra/logger.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { fakeHandlers, slow } from '../helpers/fake-stages.js';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../contract/redis-env.js';
import { waitUntil } from '../contract/wait.js';
import { type Cluster, startCluster } from './processes.js';

describe('pipeline over Redis and BullMQ (API and worker as separate backends)', () => {
  let cluster: Cluster;
  let worker: Backends;
  let storePrefix: string;
  let queuePrefix: string;

  beforeEach(async () => {
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'karaoke-dpipe-'));
    storePrefix = `${testPrefix('dp-store')}:`;
    queuePrefix = testPrefix('dp-q');
    cluster = await startCluster(TEST_REDIS_URL, storePrefix, queuePrefix, storageDir);
    const config = testConfig({ storageDir, redis: { url: TEST_REDIS_URL } });
    worker = await createDistributedBackends(config, silentLogger(), { storePrefix, queuePrefix });
    const handlers = fakeHandlers();
    new Pipeline({
      config,
      store: worker.store,
      queue: worker.queue,
      handlers: { ...handlers, separation: slow(10, 60, handlers.separation) },
      media: findMediaTools(config.searchPath),
      log: silentLogger(),
      appVersion: 'test',
    }).startWorkers();
  });
  afterEach(async () => {
    await worker.close();
    await cluster.close();
    await deleteKeys(TEST_REDIS_URL, storePrefix);
    await deleteKeys(TEST_REDIS_URL, queuePrefix);
    fs.rmSync(cluster.storageDir, { recursive: true, force: true });
  });

  it('runs beats beside separation and transcription after the vocals stem, and the API sees every change', async () => {
    const id = await cluster.submit();
    const seen: string[] = [];
    const off = cluster.backends.store.subscribe(id, (j) => seen.push(j.status));
    await waitUntil(async () => {
      const j = await cluster.backends.store.get(id);
      return j !== undefined && isTerminalJob(j.status);
    }, 30_000);
    // Events arrive over pub/sub, a moment after the write: the last one is the final record.
    await waitUntil(() => seen.at(-1) === 'completed');
    off();
    const job = await cluster.backends.store.get(id);
    expect(job?.status).toBe('completed');
    const { separation, beats, transcription } = job!.stages;
    expect(Date.parse(beats.started_at!)).toBeLessThan(Date.parse(separation.finished_at!));
    expect(Date.parse(transcription.started_at!)).toBeGreaterThanOrEqual(Date.parse(separation.finished_at!));
    expect(seen).toContain('processing');
    // The report is written just after the record turns terminal.
    await waitUntil(() => fs.existsSync(path.join(cluster.storageDir, 'jobs', id, 'report.json')));
  });

  it('cancels a job whose stage runs on the worker', async () => {
    const id = await cluster.submit();
    await waitUntil(
      async () => (await cluster.backends.store.get(id))?.stages.separation.status === 'running',
      20_000,
    );
    await cluster.pipeline.cancel(id);
    await waitUntil(async () => (await worker.queue.counts()).separation.active === 0, 10_000);
    const job = await cluster.backends.store.get(id);
    expect(job?.status).toBe('cancelled');
    expect(job?.stages.transcription.status).toBe('cancelled');
  });
});
