import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDistributedBackends } from '../../src/backends/distributed.js';
import type { Backends } from '../../src/backends/types.js';
import { testConfig } from '../../src/config.js';
import { newJobRecord } from '../../src/domain/job.js';
import { STAGE_NAMES } from '../../src/domain/stage.js';
import { findMediaTools } from '../../src/infra/ffmpeg.js';
import { silentLogger } from '../../src/infra/logger.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { jobPaths } from '../../src/storage/paths.js';
import { toneWav } from '../helpers/audio.js';
import { fakeHandlers } from '../helpers/fake-stages.js';
import { waitUntil } from '../contract/wait.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const WORKER = path.join(here, 'fixtures', 'worker.ts');

export interface WorkerEvent {
  event: string;
  jobId?: string;
  stage?: string;
  pid?: number;
}

/** A worker process (test/redis/fixtures/worker.ts) and the events it printed. */
export interface WorkerProc {
  proc: ChildProcess;
  pid: number;
  events: WorkerEvent[];
  exited: Promise<number | null>;
  /** The last few KB of its stderr (for failure messages). */
  stderr(): string;
  waitFor(pred: (e: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
}

export function spawnWorker(env: Record<string, string>): WorkerProc {
  // `node --import tsx` rather than the tsx CLI, so the pid is the worker itself (kill -9 must hit it).
  const proc = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: WorkerEvent[] = [];
  let buf = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as WorkerEvent);
      } catch {
        // not an event line
      }
    }
  });
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    pid: proc.pid ?? -1,
    events,
    exited,
    stderr: () => stderr,
    async waitFor(pred, timeoutMs = 30_000) {
      await waitUntil(() => {
        if (proc.exitCode !== null && !events.some(pred)) throw new Error(`worker exited: ${stderr}`);
        return events.some(pred);
      }, timeoutMs);
      return events.find(pred) as WorkerEvent;
    },
  };
}

/** The API side of a distributed deployment, in the test process: it only submits. */
export interface Cluster {
  backends: Backends;
  pipeline: Pipeline;
  env: Record<string, string>;
  storageDir: string;
  runLog: string;
  submit(): Promise<string>;
  close(): Promise<void>;
}

export async function startCluster(
  redisUrl: string,
  storePrefix: string,
  queuePrefix: string,
  storageDir: string,
): Promise<Cluster> {
  const config = testConfig({ storageDir, redis: { url: redisUrl } });
  const log = silentLogger();
  const backends = await createDistributedBackends(config, log, { storePrefix, queuePrefix });
  const pipeline = new Pipeline({
    config,
    store: backends.store,
    queue: backends.queue,
    handlers: fakeHandlers(),
    media: findMediaTools(config.searchPath),
    log,
    appVersion: 'test',
  });
  const runLog = path.join(storageDir, 'runs.log');
  const wav = toneWav(1);
  return {
    backends,
    pipeline,
    storageDir,
    runLog,
    env: {
      REDIS_URL: redisUrl,
      STORAGE_DIR: storageDir,
      STORE_PREFIX: storePrefix,
      QUEUE_PREFIX: queuePrefix,
      RUN_LOG: runLog,
    },
    async submit() {
      const id = randomUUID();
      const paths = jobPaths(storageDir, id);
      fs.mkdirSync(paths.dir, { recursive: true });
      fs.writeFileSync(paths.original('wav'), wav);
      const job = newJobRecord({
        id,
        originalFilename: 'tone.wav',
        fileExt: 'wav',
        fileSize: wav.length,
        audioDuration: 1,
        options: { stages: [...STAGE_NAMES] },
      });
      await pipeline.submit(job);
      return id;
    },
    close: () => backends.close(),
  };
}

/** Lines "jobId stage pid" of the run log. */
export function readRuns(file: string): { jobId: string; stage: string; pid: number }[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [jobId, stage, pid] = l.split(' ');
      return { jobId, stage, pid: Number(pid) };
    });
}
