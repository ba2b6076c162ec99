/**
 * @file Composition root: config → services → HTTP and/or workers, with graceful shutdown.
 * Roles: `all` (API + workers; the only role that makes sense without Redis),
 * `api` (HTTP only; workers elsewhere), `worker` (workers only).
 */

import type { Logger } from 'pino';
import { loadConfig, ConfigError, type AppConfig } from './config.js';
import { createServices, type Services } from './container.js';
import { decoderReport } from './ingest/decoders.js';
import { buildApp } from './http/app.js';
import { createLogger } from './infra/logger.js';
import { startCleanupLoop, sweepAtStartup } from './pipeline/cleanup.js';
import type { TaskName } from './queue/job-queue.js';
import { TASK_NAMES } from './queue/job-queue.js';
import { defaultStageHandlers } from './stages/index.js';

export type Role = 'all' | 'api' | 'worker';

export interface RunOptions {
  role: Role;
  tasks?: TaskName[];
  concurrency?: number;
  port?: number;
  host?: string;
}

export async function run(config: AppConfig, log: Logger, opts: RunOptions): Promise<() => Promise<void>> {
  if (opts.role !== 'all' && !config.redis) {
    throw new ConfigError([
      `role "${opts.role}" needs REDIS_URL (distributed mode); without Redis use role "all"`,
    ]);
  }
  const stages = defaultStageHandlers(log);
  const services: Services = await createServices(config, log, {
    handlers: stages.handlers,
    closeHandlers: stages.close,
  });
  const stops: (() => Promise<void> | void)[] = [];
  const ffmpegNote = decoderReport(services.media, config).ffmpeg.note;
  if (ffmpegNote) log.warn({ ffmpeg: services.media.ffmpeg }, ffmpegNote);
  // Before anything is resumed or received: what a crash left half-written goes.
  await sweepAtStartup(services);
  if (opts.role !== 'api') {
    services.pipeline.startWorkers(opts.tasks ?? TASK_NAMES, opts.concurrency);
    if (!config.redis) await services.pipeline.recover();
    log.info({ tasks: opts.tasks ?? TASK_NAMES, mode: services.backends.mode }, 'workers started');
  }
  if (opts.role !== 'worker') {
    const app = await buildApp(services);
    stops.push(startCleanupLoop(services));
    await app.listen({ host: opts.host ?? config.host, port: opts.port ?? config.port });
    log.info(
      `karaoke backend listening on http://${displayHost(opts.host ?? config.host)}:${opts.port ?? config.port} (API docs at /docs)`,
    );
    stops.push(() => app.close());
  }
  return async () => {
    for (const stop of stops) await stop();
    // Embedded jobs resume from the job store on the next start; distributed ones go back to the queue.
    await services.close({ abort: true });
  };
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}

/** `node dist/main.js` (npm start): serve with the role from the environment's defaults. */
export async function main(opts: Partial<RunOptions> = {}): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let stop: () => Promise<void>;
  try {
    stop = await run(config, log, { role: opts.role ?? 'all', ...opts });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    log.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) await main();
