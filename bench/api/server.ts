/**
 * The HTTP API alone, for the throughput benchmark: one job record in the store (embedded or
 * Redis), no workers, rate limiting off, logs off. Prints {"port":…,"jobId":…} once listening;
 * on SIGUSR2 prints {"cpuUs":…} (its CPU time so far); on SIGTERM deletes its job and exits.
 *
 *   MODE=embedded|distributed [REDIS_URL=redis://127.0.0.1:6379/0] node --import tsx bench/api/server.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { testConfig } from '../../src/config.js';
import { createServices } from '../../src/container.js';
import { newJobRecord } from '../../src/domain/job.js';
import { STAGE_NAMES, type StageHandler } from '../../src/domain/stage.js';
import { buildApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/infra/logger.js';

const mode = process.env.MODE === 'distributed' ? 'distributed' : 'embedded';
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), `karaoke-bench-api-${mode}-`));
const config = testConfig({
  storageDir,
  rateLimitPerMinute: 0,
  minFreeDiskMb: 0,
  logLevel: 'silent',
  redis: mode === 'distributed' ? { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' } : undefined,
});
// No stage runs in this benchmark: the API only reads the job record.
const unused: StageHandler = async () => ({ status: 'unavailable', outputs: {}, reason: 'benchmark' });
const services = await createServices(config, silentLogger(), {
  handlers: { separation: unused, beats: unused, transcription: unused },
});
const job = newJobRecord({
  id: randomUUID(),
  originalFilename: 'song.mp3',
  fileExt: 'mp3',
  fileSize: 5_000_000,
  audioDuration: 180,
  options: { stages: [...STAGE_NAMES] },
});
await services.backends.store.create(job);
// A record mid-way, as clients usually see it while polling.
await services.backends.store.update(job.id, (j) => {
  j.status = 'processing';
  j.progress = 42.5;
  j.current_step = 'separation';
  j.stages.separation.status = 'running';
  j.stages.separation.progress = 55;
  j.stages.beats.status = 'completed';
  j.summary = { tempo_bpm: 120.1, time_signature: '4/4', beat_count: 360 };
});
const app = await buildApp(services);
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
const port = typeof addr === 'object' && addr ? addr.port : 0;
process.stdout.write(`${JSON.stringify({ port, jobId: job.id })}\n`);

// SIGUSR2: print this process's CPU time so far (µs, user + system), for CPU cost per request.
process.on('SIGUSR2', () => {
  const u = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuUs: u.user + u.system })}\n`);
});

process.once('SIGTERM', () => {
  void (async () => {
    await app.close();
    await services.backends.store.delete(job.id);
    await services.close();
    fs.rmSync(storageDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
