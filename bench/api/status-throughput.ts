/**
 * Throughput of GET /api/status/{id} in embedded and distributed mode, measured side by side:
 * rounds alternate the two modes (and which goes first), so load from other processes on the
 * machine falls on both. Each run starts a fresh server process (bench/api/server.ts) and drives
 * it with autocannon from this process.
 *
 *   node --import tsx bench/api/status-throughput.ts [--rounds 3] [--duration 10] [--connections 32]
 *
 * Needs Redis on 127.0.0.1:6379 (or REDIS_URL). Prints a Markdown table and writes JSON to
 * /tmp/karaoke-eval/api-bench/status-throughput.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';

type Mode = 'embedded' | 'distributed';
interface Run {
  mode: Mode;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of the API process per request (µs): far less sensitive to other load than req/s. */
  apiCpuUsPerReq: number;
  /** CPU time of redis-server per request (µs), distributed mode only (includes other clients of that Redis). */
  redisCpuUsPerReq: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const OUT_DIR = '/tmp/karaoke-eval/api-bench';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const rounds = arg('rounds', 3);
const duration = arg('duration', 10);
const connections = arg('connections', 32);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

interface Server {
  port: number;
  jobId: string;
  cpuUs(): Promise<number>;
  stop(): Promise<void>;
}

/** redis-server's CPU time so far (µs), from INFO cpu. */
async function redisCpuUs(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const num = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return Math.round((num('used_cpu_user') + num('used_cpu_sys')) * 1e6);
}

async function startServer(mode: Mode): Promise<Server> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'server.ts')], {
    cwd: root,
    env: { ...process.env, MODE: mode },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => proc.once('exit', r));
  const rl = readline.createInterface({ input: proc.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  const { port, jobId } = JSON.parse(first) as { port: number; jobId: string };
  return {
    port,
    jobId,
    async cpuUs() {
      const line = new Promise<string>((resolve) => rl.once('line', resolve));
      proc.kill('SIGUSR2');
      return (JSON.parse(await line) as { cpuUs: number }).cpuUs;
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

async function measure(mode: Mode, round: number, redis: Redis): Promise<Run> {
  const server = await startServer(mode);
  try {
    const url = `http://127.0.0.1:${server.port}/api/status/${server.jobId}`;
    await autocannon({ url, connections, duration: 2 }); // warm-up (JIT, connection pools)
    const [api0, redis0] = [await server.cpuUs(), await redisCpuUs(redis)];
    const r = await autocannon({ url, connections, duration });
    const [api1, redis1] = [await server.cpuUs(), await redisCpuUs(redis)];
    const total = Math.max(1, r.requests.total);
    return {
      apiCpuUsPerReq: (api1 - api0) / total,
      redisCpuUsPerReq: mode === 'distributed' ? (redis1 - redis0) / total : 0,
      mode,
      round,
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.non2xx + r.errors + r.timeouts,
    };
  } finally {
    await server.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const runs: Run[] = [];
const redis = new Redis(REDIS_URL);
for (let round = 1; round <= rounds; round++) {
  const order: Mode[] = round % 2 ? ['embedded', 'distributed'] : ['distributed', 'embedded'];
  for (const mode of order) {
    const run = await measure(mode, round, redis);
    runs.push(run);
    process.stderr.write(
      `round ${round} ${mode}: ${run.rps.toFixed(0)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, errors ${run.errors}, ` +
        `API CPU ${run.apiCpuUsPerReq.toFixed(0)} µs/req, Redis CPU ${run.redisCpuUsPerReq.toFixed(0)} µs/req\n`,
    );
  }
}
redis.disconnect();

const summary = (['embedded', 'distributed'] as Mode[]).map((mode) => {
  const mine = runs.filter((r) => r.mode === mode);
  return {
    mode,
    rps: median(mine.map((r) => r.rps)),
    p50: median(mine.map((r) => r.p50)),
    p99: median(mine.map((r) => r.p99)),
    errors: mine.reduce((n, r) => n + r.errors, 0),
    apiCpuUsPerReq: median(mine.map((r) => r.apiCpuUsPerReq)),
    redisCpuUsPerReq: median(mine.map((r) => r.redisCpuUsPerReq)),
  };
});
const ratio = summary[1].rps / summary[0].rps;
const cpuRatio = (summary[1].apiCpuUsPerReq + summary[1].redisCpuUsPerReq) / summary[0].apiCpuUsPerReq;
const ratios = Array.from({ length: rounds }, (_, i) => {
  const e = runs.find((r) => r.round === i + 1 && r.mode === 'embedded');
  const d = runs.find((r) => r.round === i + 1 && r.mode === 'distributed');
  return e && d ? d.rps / e.rps : NaN;
});

fs.mkdirSync(OUT_DIR, { recursive: true });
fs.writeFileSync(
  path.join(OUT_DIR, 'status-throughput.json'),
  JSON.stringify(
    { rounds, duration, connections, runs, summary, ratio, ratios, medianRatio: median(ratios), cpuRatio },
    null,
    2,
  ),
);
console.log(
  `| mode | req/s (median of ${rounds}) | latency p50 | latency p99 | API CPU per request | Redis CPU per request | errors |`,
);
console.log('|---|---|---|---|---|---|---|');
for (const s of summary)
  console.log(
    `| ${s.mode} | ${s.rps.toFixed(0)} | ${s.p50} ms | ${s.p99} ms | ${s.apiCpuUsPerReq.toFixed(0)} µs | ` +
      `${s.mode === 'distributed' ? `${s.redisCpuUsPerReq.toFixed(0)} µs` : '–'} | ${s.errors} |`,
  );
console.log(
  `\ndistributed / embedded throughput: ratio of medians ${ratio.toFixed(2)}, median of per-round ratios ${median(ratios).toFixed(2)} (per round: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
);
console.log(`CPU per request, distributed (API + Redis) / embedded: ${cpuRatio.toFixed(2)}`);
