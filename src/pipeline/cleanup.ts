import fs from 'node:fs/promises';
import path from 'node:path';
import type { Services } from '../container.js';
import { jobsRoot, tmpDir } from '../storage/paths.js';
import { removeTempFiles } from '../storage/temp-files.js';

/**
 * Uploads in STORAGE_DIR/tmp not written to for this long are from dead requests (a live upload
 * writes continuously, so its file's mtime keeps moving).
 */
const STALE_UPLOAD_MS = 15 * 60 * 1000;
/** Temp files in job directories older than this belong to no write still in flight. */
const STALE_TEMP_MS = 15 * 60 * 1000;

/**
 * Deletes jobs that ended more than JOB_TTL ago, stale temp uploads and stale temp files in job
 * directories. Returns the number of jobs removed.
 */
export async function cleanupOnce(services: Services, now = new Date()): Promise<number> {
  const { config, backends, pipeline, log } = services;
  const expired = await backends.store.listExpired(new Date(now.getTime() - config.jobTtlS * 1000));
  for (const id of expired) {
    await pipeline.remove(id);
    log.info({ jobId: id }, 'expired job removed');
  }
  await removeUploads(services, STALE_UPLOAD_MS, now.getTime());
  await removeTempFiles(jobsRoot(config.storageDir), STALE_TEMP_MS, now.getTime());
  return expired.length;
}

/**
 * At start-up: partial uploads and temp files a crash left behind are removed. In embedded mode
 * this process is the only writer, so all of them go; in distributed mode other processes share
 * the volume and may be writing, so only stale ones go.
 */
export async function sweepAtStartup(services: Services): Promise<{ uploads: number; temp: number }> {
  const alone = services.backends.mode === 'embedded';
  const uploads = await removeUploads(services, alone ? 0 : STALE_UPLOAD_MS, Date.now());
  const temp = await removeTempFiles(jobsRoot(services.config.storageDir), alone ? 0 : STALE_TEMP_MS);
  if (uploads + temp > 0) services.log.info({ uploads, temp }, 'removed what a crash left behind');
  return { uploads, temp };
}

async function removeUploads(services: Services, olderThanMs: number, now: number): Promise<number> {
  const tmp = tmpDir(services.config.storageDir);
  let removed = 0;
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    const file = path.join(tmp, name);
    const st = await fs.lstat(file).catch(() => undefined);
    if (!st || (olderThanMs > 0 && now - st.mtimeMs <= olderThanMs)) continue;
    await fs.rm(file, { force: true, recursive: true });
    removed++;
  }
  return removed;
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
