import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import { EmbeddedQueue } from '../queue/embedded-queue.js';
import { FileJobStore } from '../store/file-job-store.js';
import type { Backends } from './types.js';

export async function createEmbeddedBackends(
  config: AppConfig,
  log: Logger,
  opts: { durable?: boolean } = {},
): Promise<Backends> {
  const store = await FileJobStore.open(config.storageDir, log, { fsync: opts.durable !== false });
  const queue = new EmbeddedQueue(log);
  return {
    mode: 'embedded',
    store,
    queue,
    async health() {
      const queues = await queue.counts();
      return { mode: 'embedded', ok: true, workers: { embedded: 1 }, queues };
    },
    async close(opts) {
      await queue.close(opts);
      await store.close();
    },
  };
}
