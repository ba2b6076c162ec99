import fs from 'node:fs/promises';
import type { Services } from '../container.js';
import { AppError } from '../errors.js';

/**
 * Back-pressure for uploads. An upload holds a slot (ClientSlots, client-slots.ts) while it is
 * received and validated; when every slot is taken, or when an upload would be refused anyway
 * (low disk, Redis down, queues full), the answer is 503 with Retry-After at once, before the
 * body is read, instead of a long wait. /health reports the same reasons as `degraded`.
 */
export { RETRY_AFTER_S } from './client-slots.js';

export interface Refusal {
  code: string;
  message: string;
  status: number;
}

/** Why an upload would be refused right now, or undefined. */
export async function intakeRefusal(services: Services): Promise<Refusal | undefined> {
  const { config } = services;
  const disk = await diskRefusal(services);
  if (disk) return disk;
  const h = await services.backends.health().catch(() => undefined);
  if (!h || (h.redis && !h.redis.connected))
    return {
      code: 'REDIS_UNAVAILABLE',
      message: 'the job store is unavailable; try again later',
      status: 503,
    };
  const max = config.security.maxQueuedTasks;
  const waiting = Object.values(h.queues).reduce((n, q) => n + q.waiting, 0);
  if (max > 0 && waiting >= max)
    return {
      code: 'QUEUE_FULL',
      message: `${waiting} tasks are waiting (limit ${max}); try again later`,
      status: 503,
    };
  return undefined;
}

async function diskRefusal(services: Services): Promise<Refusal | undefined> {
  const { config } = services;
  if (config.minFreeDiskMb <= 0) return undefined;
  try {
    await fs.mkdir(config.storageDir, { recursive: true });
    const s = await fs.statfs(config.storageDir);
    const freeMb = (s.bavail * s.bsize) / (1024 * 1024);
    if (freeMb < config.minFreeDiskMb + config.maxFileSize / (1024 * 1024))
      return {
        code: 'INSUFFICIENT_STORAGE',
        message: 'the server is low on disk space; try again later',
        status: 507,
      };
  } catch {
    return undefined; // statfs unsupported: do not refuse on a guess
  }
  return undefined;
}

export function refusalError(r: Refusal): AppError {
  return new AppError(r.code, r.message, r.status);
}
