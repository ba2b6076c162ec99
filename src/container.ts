import fs from 'node:fs';
import type { Logger } from 'pino';
import { createBackends } from './backends/index.js';
import type { DistributedOptions } from './backends/distributed.js';
import type { Backends } from './backends/types.js';
import type { AppConfig } from './config.js';
import type { StageHandlers, StageName } from './domain/stage.js';
import { findMediaTools, type MediaTools } from './infra/ffmpeg.js';
import type { JobRecord } from './domain/job.js';
import { STAGE_NAMES } from './domain/stage.js';
import { Metrics, STAGE_BUCKETS_S } from './infra/metrics.js';
import { WebhookSender } from './infra/webhooks.js';
import { Pipeline } from './pipeline/pipeline.js';

/**
 * Everything the service is made of, built once at the composition root and passed down.
 * No module-level singletons: tests build their own with fake stage handlers.
 */
export interface Services {
  config: AppConfig;
  log: Logger;
  backends: Backends;
  pipeline: Pipeline;
  media: MediaTools;
  metrics: Metrics;
  /** Present when WEBHOOK_SECRET is set. */
  webhooks: WebhookSender | undefined;
  appVersion: string;
  close(opts?: { abort?: boolean }): Promise<void>;
}

export interface ServiceOptions {
  handlers: StageHandlers;
  /** Called on close, after the queue has stopped (e.g. to stop stage threads). */
  closeHandlers?: () => Promise<void>;
  /** false for a throw-away job store (the CLI): records are not fsynced. */
  durable?: boolean;
  backoffMs?: (stage: StageName, attempt: number) => number;
  /** Key prefixes and timings of distributed mode (tests keep their keys apart). */
  distributed?: DistributedOptions;
  /** ffmpeg/ffprobe to use (default: found on PATH, else the bundled build). */
  media?: MediaTools;
  /** Base delay of webhook retries (tests make it short). */
  webhookBaseDelayMs?: number;
}

export function appVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function createServices(
  config: AppConfig,
  log: Logger,
  opts: ServiceOptions,
): Promise<Services> {
  const backends = await createBackends(config, log, {
    durable: opts.durable,
    distributed: opts.distributed,
  });
  const media = opts.media ?? findMediaTools(config.searchPath);
  const version = appVersion();
  const metrics = new Metrics();
  const stageSeconds = metrics.histogram(
    'karaoke_stage_duration_seconds',
    'Wall time of each stage of finished jobs, by stage and outcome (recorded where the job finished)',
    ['stage', 'status'],
    STAGE_BUCKETS_S,
  );
  const jobsFinished = metrics.counter('karaoke_jobs_finished_total', 'Jobs that ended, by final status', [
    'status',
  ]);
  const observeStages = (job: JobRecord) => {
    jobsFinished({ status: job.status });
    for (const s of STAGE_NAMES) {
      const st = job.stages[s];
      if (st.duration_s !== undefined) stageSeconds(st.duration_s, { stage: s, status: st.status });
    }
  };
  const { webhookSecret, webhookAllowPrivate } = config.security;
  const webhooks = webhookSecret
    ? new WebhookSender({
        secret: webhookSecret,
        allowPrivate: webhookAllowPrivate,
        log,
        baseDelayMs: opts.webhookBaseDelayMs,
      })
    : undefined;
  const pipeline = new Pipeline({
    config,
    store: backends.store,
    queue: backends.queue,
    handlers: opts.handlers,
    media,
    log,
    appVersion: version,
    backoffMs: opts.backoffMs,
    shareMix: backends.mode === 'distributed',
    onJobFinished: (job) => {
      observeStages(job);
      webhooks?.notify(job);
    },
  });
  const queueDepth = metrics.gauge('karaoke_queue_tasks', 'Tasks per queue and state', ['task', 'state']);
  metrics.onCollect(async () => {
    const h = await backends.health();
    for (const [name, c] of Object.entries(h.queues)) {
      queueDepth(c.waiting, { task: name, state: 'waiting' });
      queueDepth(c.active, { task: name, state: 'active' });
    }
  });
  return {
    config,
    log,
    backends,
    pipeline,
    media,
    metrics,
    webhooks,
    appVersion: version,
    close: async (o) => {
      webhooks?.close();
      await backends.close(o);
      await pipeline.close();
      await opts.closeHandlers?.();
    },
  };
}
