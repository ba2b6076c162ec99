import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import { redactRedisUrl } from '../infra/redis.js';
import { BullmqQueue } from '../queue/bullmq-queue.js';
import { startRequeueSweep } from '../pipeline/requeue-sweep.js';
import type { QueueCounts, TaskName } from '../queue/job-queue.js';
import { TASK_NAMES } from '../queue/job-queue.js';
import { RedisJobStore } from '../store/redis-job-store.js';
import type { BackendHealth, Backends } from './types.js';

export interface DistributedOptions {
  /** Key prefix of the job store ('' in production). */
  storePrefix?: string;
  /** BullMQ prefix ('bull' in production). */
  queuePrefix?: string;
  /** See BullmqQueueOptions.lockDurationMs (tests shorten it to see dead workers quickly). */
  lockDurationMs?: number;
  /** How often to look for unfinished jobs whose tasks were lost (see pipeline/requeue-sweep.ts); 0 = never. */
  requeueIntervalMs?: number;
}

function emptyCounts(): Record<TaskName, QueueCounts> {
  const out = {} as Record<TaskName, QueueCounts>;
  for (const t of TASK_NAMES) out[t] = { waiting: 0, active: 0 };
  return out;
}

/**
 * Distributed mode: job records in Redis (RedisJobStore), tasks on BullMQ queues (BullmqQueue),
 * job files on the storage volume every process mounts at STORAGE_DIR. Start-up does not wait for
 * Redis: while it is down, routes answer 503 and /health says so; both recover on their own.
 * Every process also runs the lost-task sweep (pipeline/requeue-sweep.ts), stopped by close().
 */
export async function createDistributedBackends(
  config: AppConfig,
  log: Logger,
  opts: DistributedOptions = {},
): Promise<Backends> {
  const redis = config.redis;
  if (!redis) throw new Error('distributed mode needs REDIS_URL');
  // A finished job's hash outlives JOB_TTL by one cleanup interval, so the sweep removes it (and its files) first.
  const ttlS = config.jobTtlS + config.cleanupIntervalS;
  const store = new RedisJobStore({
    url: redis.url,
    storageDir: config.storageDir,
    prefix: opts.storePrefix,
    ttlS,
    log,
  });
  const queue = new BullmqQueue({
    url: redis.url,
    prefix: opts.queuePrefix,
    log,
    ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
  });
  const url = redactRedisUrl(redis.url);
  log.info({ redis: url }, 'distributed mode');
  const stopSweep =
    opts.requeueIntervalMs === 0
      ? async () => undefined
      : startRequeueSweep(store, queue, { intervalMs: opts.requeueIntervalMs, log });

  return {
    mode: 'distributed',
    store,
    queue,
    async health(): Promise<BackendHealth> {
      const connected = await store.ping();
      if (!connected) {
        return {
          mode: 'distributed',
          ok: false,
          redis: { connected: false, url, error: 'Redis does not answer' },
          workers: {},
          queues: emptyCounts(),
        };
      }
      try {
        const [queues, workers] = await Promise.all([queue.counts(), queue.workerCounts()]);
        return { mode: 'distributed', ok: true, redis: { connected: true, url }, workers, queues };
      } catch {
        return {
          mode: 'distributed',
          ok: false,
          redis: { connected: true, url, error: 'queue state unavailable' },
          workers: {},
          queues: emptyCounts(),
        };
      }
    },
    async close(closeOpts) {
      await stopSweep();
      await queue.close(closeOpts);
      await store.close();
    },
  };
}
