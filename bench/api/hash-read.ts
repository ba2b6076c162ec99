/**
 * Why the job hash keeps the record as one JSON field: reading it whole (HGET + JSON.parse)
 * against reading every field (HGETALL) for the same record, 32 requests in flight, in the
 * same run, alternating. Needs Redis on 127.0.0.1:6379 (or REDIS_URL).
 *
 *   node --import tsx bench/api/hash-read.ts
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { newJobRecord } from '../../src/domain/job.js';
import { STAGE_NAMES } from '../../src/domain/stage.js';
import { encodeJob, RECORD_FIELD } from '../../src/store/redis-codec.js';

const REQUESTS = 20_000;
const IN_FLIGHT = 32;
const ROUNDS = 3;

const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', { enableAutoPipelining: true });
const job = newJobRecord({
  id: randomUUID(),
  originalFilename: 'song.mp3',
  fileExt: 'mp3',
  fileSize: 5_000_000,
  audioDuration: 180,
  options: { stages: [...STAGE_NAMES] },
});
job.summary = { tempo_bpm: 120.1, time_signature: '4/4', beat_count: 360 };
const key = `bench-hash-read:${job.id}`;
const fields = encodeJob(job, `/data/jobs/${job.id}`);
await client.hset(key, fields);

async function opsPerSecond(op: () => Promise<unknown>): Promise<number> {
  let issued = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (issued++ < REQUESTS) await op();
    }),
  );
  return REQUESTS / ((performance.now() - t0) / 1000);
}

const whole = async () => JSON.parse((await client.hget(key, RECORD_FIELD)) ?? 'null') as unknown;
const everyField = async () => client.hgetall(key);
const ratios: number[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const a = await opsPerSecond(whole);
  const b = await opsPerSecond(everyField);
  ratios.push(a / b);
  console.log(
    `round ${r}: HGET record + JSON.parse ${a.toFixed(0)}/s, HGETALL (${Object.keys(fields).length} fields) ${b.toFixed(0)}/s, ratio ${(a / b).toFixed(2)}`,
  );
}
await client.del(key);
client.disconnect();
