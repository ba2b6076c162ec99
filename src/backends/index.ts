import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import { createEmbeddedBackends } from './embedded.js';
import type { DistributedOptions } from './distributed.js';
import type { Backends } from './types.js';

/** Embedded unless REDIS_URL (or REDIS_HOST) is set. */
export async function createBackends(
  config: AppConfig,
  log: Logger,
  opts: { durable?: boolean; distributed?: DistributedOptions } = {},
): Promise<Backends> {
  if (config.redis) {
    const { createDistributedBackends } = await import('./distributed.js');
    return createDistributedBackends(config, log, opts.distributed);
  }
  return createEmbeddedBackends(config, log, opts);
}
