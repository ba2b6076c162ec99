import fs from 'node:fs/promises';
import path from 'node:path';
import type { Services } from '../container.js';
import { tmpDir } from '../storage/paths.js';

/** Uploads left in STORAGE_DIR/tmp longer than this are from crashed requests. */
const STALE_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Deletes jobs that ended more than JOB_TTL ago, and stale temp uploads.
 * Returns the number of jobs removed.
 */
export async function cleanupOnce(services: Services, now = new Date()): Promise<number> {
  const { config, backends, pipeline, log } = services;
  const expired = await backends.store.listExpired(new Date(now.getTime() - config.jobTtlS * 1000));
  for (const id of expired) {
    await pipeline.remove(id);
    log.info({ jobId: id }, 'expired job removed');
  }
  const tmp = tmpDir(config.storageDir);
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    const file = path.join(tmp, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (st && now.getTime() - st.mtimeMs > STALE_UPLOAD_MS) await fs.rm(file, { force: true });
  }
  return expired.length;
}

export function startCleanupLoop(services: Services): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await cleanupOnce(services);
    } catch (err) {
      services.log.warn({ err }, 'cleanup failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), services.config.cleanupIntervalS * 1000);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
