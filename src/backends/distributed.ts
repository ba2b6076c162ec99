import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { Backends } from './types.js';

// Replaced by the Redis/BullMQ implementation (issue 6).
export async function createDistributedBackends(_config: AppConfig, _log: Logger): Promise<Backends> {
  throw new AppError('NOT_IMPLEMENTED', 'distributed mode (REDIS_URL) is not available in this build', 503);
}
