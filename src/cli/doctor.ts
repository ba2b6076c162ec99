import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type AppConfig } from '../config.js';
import { BUNDLED_FFMPEG_VERSION, ffmpegVersion, findMediaTools } from '../infra/ffmpeg.js';
import { decoderReport } from '../ingest/decoders.js';
import { formatBytes, modelRows } from './model-table.js';

/**
 * `karaoke doctor`: what this machine has, and what each missing thing costs. Read-only: it
 * downloads nothing and starts nothing but a Redis PING when REDIS_URL is set.
 */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What the missing thing costs, and how to get it. */
  cost?: string;
}

const REDIS_PING_MS = 2000;
/** Free space below this is too little for a song's stems (≈ 10 MB/min per stem, five stems). */
const LOW_DISK_MB = 1024;

export function doctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check this machine: ffmpeg, decoders, models, ONNX providers, Redis, free disk')
    .option('--json', 'print the checks as JSON')
    .action(async (flags: { json?: boolean }) => {
      const checks = await runChecks(loadConfig());
      process.stdout.write(flags.json ? `${JSON.stringify(checks, null, 2)}\n` : `${formatChecks(checks)}\n`);
    });
}

export async function runChecks(config: AppConfig): Promise<Check[]> {
  return [
    ...(await ffmpegChecks(config)),
    ...(await modelChecks(config)),
    onnxCheck(),
    await redisCheck(config),
    await diskCheck(config),
  ];
}

async function ffmpegChecks(config: AppConfig): Promise<Check[]> {
  const media = findMediaTools(config.searchPath);
  const report = decoderReport(media, config);
  const version = await ffmpegVersion(media);
  const wasm: Check = {
    name: 'decoders',
    ok: true,
    detail: `WebAssembly: ${Object.entries(report.webassembly)
      .map(([f, pkg]) => `${f} (${pkg})`)
      .join(', ')}; WAV natively`,
  };
  if (!version) {
    return [
      wasm,
      {
        name: 'ffmpeg',
        ok: false,
        detail: `not runnable (${media.ffmpeg})`,
        cost: 'M4A/AAC uploads and non-PCM WAV are refused; install ffmpeg (e.g. apt-get install ffmpeg)',
      },
    ];
  }
  if (media.bundled) {
    return [
      wasm,
      {
        name: 'ffmpeg',
        ok: false,
        detail: `only the bundled build ${BUNDLED_FFMPEG_VERSION}: ${media.ffmpeg}`,
        cost: report.ffmpeg.note,
      },
    ];
  }
  return [
    wasm,
    { name: 'ffmpeg', ok: true, detail: `${version} (${media.ffmpeg}): M4A/AAC and other containers` },
  ];
}

async function modelChecks(config: AppConfig): Promise<Check[]> {
  const rows = await modelRows(config);
  const demucs = rows.find((r) => r.name === config.demucsModel);
  const whisper = rows.find((r) => r.name === `whisper-${config.whisperModel}`);
  const checks: Check[] = [];
  if (demucs) {
    checks.push({
      name: `model ${demucs.name}`,
      ok: demucs.installed,
      detail: demucs.installed ? `${formatBytes(demucs.bytes)} at ${demucs.where}` : demucs.where,
      ...(demucs.installed
        ? {}
        : {
            cost: `separation falls back to the DSP separator (flagged quality "fallback"); run \`karaoke models pull ${demucs.name}\``,
          }),
    });
  }
  if (whisper) {
    checks.push({
      name: `model ${whisper.name}`,
      ok: whisper.installed,
      detail: whisper.installed ? `${formatBytes(whisper.bytes)} at ${whisper.where}` : whisper.where,
      ...(whisper.installed
        ? {}
        : {
            cost: `${config.offline ? 'with OFFLINE=1 transcription is unavailable unless lyrics are given' : 'downloaded on the first transcription'}; run \`karaoke models pull ${whisper.name}\``,
          }),
    });
  }
  return checks;
}

function onnxCheck(): Check {
  try {
    const require = createRequire(import.meta.url);
    const ort = require('onnxruntime-node') as {
      listSupportedBackends?: () => { name: string; bundled: boolean }[];
    };
    const dir = path.join(
      path.dirname(require.resolve('onnxruntime-node/package.json')),
      'bin/napi-v6',
      `${process.platform}/${process.arch}`,
    );
    const backends = ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
    const cudaInstalled =
      backends.some((b) => b.name === 'cuda') && hasFile(dir, 'libonnxruntime_providers_cuda.so');
    // The providers this service can select (ONNX_PROVIDER): cpu, and cuda when its libraries are installed.
    const usable = ['cpu', ...(cudaInstalled ? ['cuda'] : [])];
    return {
      name: 'ONNX providers',
      ok: true,
      detail: usable.join(', '),
      ...(cudaInstalled
        ? {}
        : {
            cost: 'no CUDA provider: htdemucs runs on the CPU (minutes per song); on a GPU machine reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 and set ONNX_PROVIDER=cuda',
          }),
    };
  } catch (err) {
    return {
      name: 'ONNX providers',
      ok: false,
      detail: `onnxruntime-node does not load: ${err instanceof Error ? err.message : String(err)}`,
      cost: 'no model runs: separation uses the DSP fallback and transcription is unavailable',
    };
  }
}

function hasFile(dir: string, name: string): boolean {
  try {
    return existsSync(path.join(dir, name));
  } catch {
    return false;
  }
}

async function redisCheck(config: AppConfig): Promise<Check> {
  if (!config.redis) {
    return {
      name: 'Redis',
      ok: true,
      detail: 'not configured: embedded mode (one process, jobs on disk)',
      cost: 'set REDIS_URL to run API and workers as separate processes or machines',
    };
  }
  // Loaded only here, so other commands do not pay for the Redis client at start-up.
  const { createRedisClient, redactRedisUrl, whenReady } = await import('../infra/redis.js');
  const url = config.redis.url;
  const client = createRedisClient(url, 'command', 'karaoke-doctor');
  try {
    await whenReady(client, REDIS_PING_MS);
    const pong = await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${REDIS_PING_MS} ms`)), REDIS_PING_MS).unref(),
      ),
    ]);
    return { name: 'Redis', ok: pong === 'PONG', detail: `${redactRedisUrl(url)} answers ${pong}` };
  } catch (err) {
    return {
      name: 'Redis',
      ok: false,
      detail: `${redactRedisUrl(url)}: ${err instanceof Error ? err.message : String(err)}`,
      cost: 'distributed mode cannot start: no jobs are accepted or run until Redis answers',
    };
  } finally {
    client.disconnect();
  }
}

async function diskCheck(config: AppConfig): Promise<Check> {
  let dir = config.storageDir;
  for (;;) {
    const st = await fs.statfs(dir).catch(() => undefined);
    if (st) {
      const freeMb = Math.floor((st.bavail * st.bsize) / 1024 / 1024);
      const low = freeMb < Math.max(LOW_DISK_MB, config.minFreeDiskMb);
      return {
        name: 'free disk',
        ok: !low,
        detail: `${freeMb} MB free at ${dir} (STORAGE_DIR ${config.storageDir})`,
        ...(low
          ? {
              cost: `uploads are refused below MIN_FREE_DISK_MB (${config.minFreeDiskMb} MB); a song's stems take ~50 MB per minute`,
            }
          : {}),
      };
    }
    const up = path.dirname(dir);
    if (up === dir) return { name: 'free disk', ok: false, detail: `cannot read ${config.storageDir}` };
    dir = up;
  }
}

export function formatChecks(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.ok ? 'ok  ' : 'MISS'}  ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.cost) lines.push(`${' '.repeat(width + 8)}→ ${c.cost}`);
  }
  return lines.join('\n');
}
