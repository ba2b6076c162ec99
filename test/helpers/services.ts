import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { testConfig, type AppConfig } from '../../src/config.js';
import type { MediaTools } from '../../src/infra/ffmpeg.js';
import { createServices, type Services } from '../../src/container.js';
import type { JobRecord } from '../../src/domain/job.js';
import { isTerminalJob } from '../../src/domain/job.js';
import type { StageHandlers } from '../../src/domain/stage.js';
import { buildApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/infra/logger.js';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../contract/redis-env.js';
import { sweepAtStartup } from '../../src/pipeline/cleanup.js';
import { tmpDir } from './audio.js';
import { fakeHandlers } from './fake-stages.js';

export interface TestService {
  services: Services;
  app: FastifyInstance;
  config: AppConfig;
  /** The Redis key prefix of a distributed service (its store keys are `${prefix}:…`). */
  prefix?: string;
  close(): Promise<void>;
}

/** The uploads' temp files left in a service's storage (none once every request has ended). */
export function uploadTempFiles(svc: Pick<TestService, 'config'>): string[] {
  const tmp = path.join(svc.config.storageDir, 'tmp');
  return fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
}

export type BackendMode = 'embedded' | 'distributed';
export const BACKEND_MODES: readonly BackendMode[] = ['embedded', 'distributed'];

/**
 * A service on a fresh temp storage dir with fake engines (or the given handlers); no port
 * opened. `mode: 'distributed'` runs it on the test Redis (RedisJobStore + BullMQ) under key
 * prefixes of its own, removed on close.
 */
export async function startTestService(
  opts: {
    handlers?: Partial<StageHandlers>;
    config?: Partial<AppConfig>;
    storageDir?: string;
    workers?: boolean;
    mode?: BackendMode;
    media?: MediaTools;
  } = {},
): Promise<TestService> {
  const storageDir = opts.storageDir ?? tmpDir('karaoke-svc-');
  const distributed = opts.mode === 'distributed';
  const config = testConfig({
    storageDir,
    rateLimitPerMinute: 0,
    minFreeDiskMb: 0,
    ...(distributed ? { redis: { url: TEST_REDIS_URL } } : {}),
    ...opts.config,
  });
  const prefix = testPrefix('svc');
  const services = await createServices(config, silentLogger(), {
    handlers: fakeHandlers(opts.handlers),
    backoffMs: () => 20,
    ...(distributed
      ? { distributed: { storePrefix: `${prefix}:`, queuePrefix: `${prefix}-bull`, requeueIntervalMs: 0 } }
      : {}),
    media: opts.media,
    webhookBaseDelayMs: 20,
  });
  await sweepAtStartup(services);
  if (opts.workers !== false) {
    services.pipeline.startWorkers();
    await services.pipeline.recover();
  }
  const app = await buildApp(services);
  await app.ready();
  return {
    services,
    app,
    config,
    ...(distributed ? { prefix } : {}),
    close: async () => {
      await app.close();
      await services.close({ abort: true });
      if (distributed) await deleteKeys(TEST_REDIS_URL, prefix);
      if (!opts.storageDir) fs.rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

export async function waitForJob(
  services: Services,
  id: string,
  until: (j: JobRecord) => boolean = (j) => isTerminalJob(j.status),
  timeoutMs = 20_000,
): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await services.backends.store.get(id);
    if (job && until(job)) return job;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for job ${id}: ${JSON.stringify(job?.status)} ${JSON.stringify(job?.stages)}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A multipart body for app.inject. */
export function multipart(parts: { name: string; value: string | Buffer; filename?: string }[]): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = `----karaoke${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const type = p.filename !== undefined ? 'Content-Type: application/octet-stream\r\n' : '';
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n${type}\r\n`),
      Buffer.from(p.value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
