import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import { createEmbeddedBackends } from './embedded.js';
import type { Backends } from './types.js';

/** Embedded unless REDIS_URL (or REDIS_HOST) is set. */
export async function createBackends(
  config: AppConfig,
  log: Logger,
  opts: { durable?: boolean } = {},
): Promise<Backends> {
  if (config.redis) {
    const { createDistributedBackends } = await import('./distributed.js');
    return createDistributedBackends(config, log);
  }
  return createEmbeddedBackends(config, log, opts);
}
