import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobRecord } from '../domain/job.js';
import { isTerminalJob } from '../domain/job.js';
import { createRedisClient, guardRedis, redisUnavailable } from '../infra/redis.js';
import { jobPaths } from '../storage/paths.js';
import { removeTree } from '../storage/files.js';
import type { JobListener, JobMutator, JobStore, ListOptions } from './job-store.js';
import { KeyedSerial } from './keyed-serial.js';
import { recordProblem } from './record-check.js';
import { decodeJob, encodeJob, RECORD_FIELD, REV_FIELD, toArgs, type HashFields } from './redis-codec.js';
import {
  DELETE_JOB,
  runScript,
  WRITE_CONFLICT,
  WRITE_EXISTS,
  WRITE_JOB,
  WRITE_MISSING,
} from './redis-scripts.js';

export interface RedisJobStoreOptions {
  url: string;
  /** Job directories live under `{storageDir}/jobs/{id}` (shared volume); delete() removes them. */
  storageDir: string;
  /** Key prefix, '' in production (keys `job:{id}`, `jobs:index`); tests use a random one. */
  prefix?: string;
  /** Seconds a finished job's hash lives on (0 = forever). */
  ttlS: number;
  log?: Logger;
}

/** Optimistic updates that keep losing the race give up after this many tries. */
const MAX_UPDATE_TRIES = 200;
const RETRY_JITTER_MS = 5;
/** When a page of the index holds ids whose hash has expired, prune and read again at most this often. */
const MAX_LIST_PASSES = 3;
/** Ids read per round trip when listing one owner's jobs. */
const OWNER_SCAN_PAGE = 500;

/**
 * Distributed-mode job store: one hash `job:{id}` per job (fields: see redis-codec.ts), a sorted
 * index `jobs:index` (by creation time) for listing, a set `jobs:unfinished` for recovery and
 * a sorted set `jobs:finished` (by finish time) for cleanup. Finished hashes expire after the
 * TTL; the cleanup sweep still finds them in `jobs:finished` and removes their files.
 *
 * `update` is a compare-and-set on the hash's revision, done by a Lua script that also moves
 * the indexes and publishes the new record on `job-events:{id}`; when two processes update one
 * job at once, the loser re-reads and re-applies its mutator (which is why mutators must only
 * depend on the record they are given). Within one process, updates of a job are also
 * serialised, so frequent progress writes do not fight each other.
 *
 * Every call fails fast with REDIS_UNAVAILABLE (503) while Redis is down, and works again once
 * the client has reconnected.
 */
export class RedisJobStore implements JobStore {
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly prefix: string;
  private readonly listeners = new EventEmitter();
  private readonly serial = new KeyedSerial();

  constructor(private readonly opts: RedisJobStoreOptions) {
    this.prefix = opts.prefix ?? '';
    this.client = createRedisClient(opts.url, 'command', 'karaoke:store');
    this.listeners.setMaxListeners(0);
  }

  private key(id: string): string {
    return `${this.prefix}job:${id}`;
  }

  private indexKeys(id: string): string[] {
    const p = this.prefix;
    return [this.key(id), `${p}jobs:index`, `${p}jobs:unfinished`, `${p}jobs:finished`];
  }

  private channel(id: string): string {
    return `${this.prefix}job-events:${id}`;
  }

  async create(job: JobRecord): Promise<void> {
    const res = await this.write(job, '');
    if (res === WRITE_EXISTS) throw new Error(`job ${job.id} exists`);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const key = this.key(id);
    return this.decode(id, await guardRedis(() => this.client.hget(key, RECORD_FIELD), this.client));
  }

  async update(id: string, mutate: JobMutator): Promise<JobRecord | undefined> {
    return this.serial.run(id, async () => {
      for (let attempt = 1; ; attempt++) {
        const key = this.key(id);
        const [rev, record] = await guardRedis(
          () => this.client.hmget(key, REV_FIELD, RECORD_FIELD),
          this.client,
        );
        const current = this.decode(id, record);
        if (!current) return undefined;
        if (current.status === 'corrupt') return current;
        const next = structuredClone(current);
        if (mutate(next) === false) return current;
        next.updated_at = new Date().toISOString();
        const res = await this.write(next, rev ?? '0');
        if (res === WRITE_MISSING) return undefined;
        if (res !== WRITE_CONFLICT) return next;
        if (attempt >= MAX_UPDATE_TRIES) throw new Error(`job ${id}: update kept conflicting`);
        await new Promise((r) => setTimeout(r, Math.random() * RETRY_JITTER_MS));
      }
    });
  }

  private async write(job: JobRecord, expectedRev: string): Promise<number> {
    const fields: HashFields = encodeJob(job, jobPaths(this.opts.storageDir, job.id).dir);
    const terminal = isTerminalJob(job.status);
    const finished = Date.parse(job.finished_at ?? job.updated_at);
    const args: (string | number)[] = [
      expectedRev,
      job.id,
      Date.parse(job.created_at),
      terminal ? '1' : '0',
      Number.isFinite(finished) ? finished : Date.now(),
      this.opts.ttlS,
      this.channel(job.id),
      fields[RECORD_FIELD],
      ...toArgs(fields),
    ];
    const res = await guardRedis(
      () => runScript(this.client, WRITE_JOB, this.indexKeys(job.id), args),
      this.client,
    );
    return Number(res);
  }

  async list(opts: ListOptions): Promise<{ jobs: JobRecord[]; total: number }> {
    if (opts.owner !== undefined) return this.listOwned(opts.owner, opts.limit, opts.offset ?? 0);
    const offset = opts.offset ?? 0;
    const index = `${this.prefix}jobs:index`;
    for (let pass = 1; ; pass++) {
      const ids = await guardRedis(
        () => this.client.zrevrange(index, offset, offset + opts.limit - 1),
        this.client,
      );
      const { jobs, missing } = await this.getMany(ids);
      if (missing.length > 0) await guardRedis(() => this.client.zrem(index, ...missing), this.client);
      if (missing.length === 0 || pass >= MAX_LIST_PASSES) {
        const total = await guardRedis(() => this.client.zcard(index), this.client);
        return { jobs, total };
      }
    }
  }

  /**
   * One owner's jobs: the index is read in pages, newest first, and filtered by owner. Records
   * expire with JOB_TTL, so the index stays bounded; a per-owner index would make this
   * O(page) if deployments with very many jobs need it.
   */
  private async listOwned(
    owner: string,
    limit: number,
    offset: number,
  ): Promise<{ jobs: JobRecord[]; total: number }> {
    const index = `${this.prefix}jobs:index`;
    const jobs: JobRecord[] = [];
    let total = 0;
    for (let start = 0; ; start += OWNER_SCAN_PAGE) {
      const ids = await guardRedis(
        () => this.client.zrevrange(index, start, start + OWNER_SCAN_PAGE - 1),
        this.client,
      );
      if (ids.length === 0) break;
      const page = await this.getMany(ids);
      for (const job of page.jobs) {
        if (job.owner !== owner) continue;
        if (total >= offset && jobs.length < limit) jobs.push(job);
        total++;
      }
      if (ids.length < OWNER_SCAN_PAGE) break;
    }
    return { jobs, total };
  }

  async listUnfinished(): Promise<JobRecord[]> {
    const key = `${this.prefix}jobs:unfinished`;
    const ids = await guardRedis(() => this.client.smembers(key), this.client);
    const { jobs, missing } = await this.getMany(ids);
    if (missing.length > 0) await guardRedis(() => this.client.srem(key, ...missing), this.client);
    return jobs.filter((j) => !isTerminalJob(j.status));
  }

  async listExpired(before: Date): Promise<string[]> {
    // Exclusive bound, like FileJobStore's `<` comparison.
    return guardRedis(
      () => this.client.zrangebyscore(`${this.prefix}jobs:finished`, '-inf', `(${before.getTime()}`),
      this.client,
    );
  }

  private async getMany(ids: string[]): Promise<{ jobs: JobRecord[]; missing: string[] }> {
    if (ids.length === 0) return { jobs: [], missing: [] };
    const pipe = this.client.pipeline();
    for (const id of ids) pipe.hget(this.key(id), RECORD_FIELD);
    const replies = (await guardRedis(() => pipe.exec(), this.client)) ?? [];
    const jobs: JobRecord[] = [];
    const missing: string[] = [];
    replies.forEach(([err, record], i) => {
      if (err) throw redisUnavailable(err);
      const job = this.decode(ids[i]!, record as string | null);
      if (job) jobs.push(job);
      else missing.push(ids[i]);
    });
    return { jobs, missing };
  }

  async delete(id: string): Promise<void> {
    await this.serial.run(id, async () => {
      await guardRedis(() => runScript(this.client, DELETE_JOB, this.indexKeys(id), [id]), this.client);
      await removeTree(jobPaths(this.opts.storageDir, id).dir);
    });
  }

  subscribe(id: string, listener: JobListener): () => void {
    const channel = this.channel(id);
    const first = this.listeners.listenerCount(channel) === 0;
    this.listeners.on(channel, listener);
    if (first) {
      this.sub()
        .subscribe(channel)
        .catch((err: unknown) => this.opts.log?.warn({ err, jobId: id }, 'job event subscription failed'));
    }
    return () => {
      this.listeners.off(channel, listener);
      if (this.listeners.listenerCount(channel) === 0 && this.subscriber) {
        this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  private sub(): Redis {
    if (!this.subscriber) {
      const sub = createRedisClient(this.opts.url, 'subscriber', 'karaoke:store-events');
      sub.on('message', (channel: string, payload: string) => {
        const job = this.eventRecord(channel, payload);
        if (job) this.listeners.emit(channel, job);
      });
      this.subscriber = sub;
    }
    return this.subscriber;
  }

  private decode(id: string, record: string | null | undefined): JobRecord | undefined {
    return decodeJob(record, id, (problem) =>
      this.opts.log?.warn({ jobId: id, problem }, 'job hash with an unusable record; shown as corrupt'),
    );
  }

  /**
   * The job record a message on a job's channel carries, or undefined. Anyone who can write to
   * Redis can publish there: `null`, `{}` or another job's record reached the event streams as
   * a job, and the first `null` threw in the subscriber's handler, an uncaught exception that
   * ended the API process. A message is used only when it is a valid record of that job.
   */
  private eventRecord(channel: string, payload: string): JobRecord | undefined {
    const id = channel.slice(this.channel('').length);
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      value = undefined;
    }
    const problem = recordProblem(value, id);
    if (problem === undefined) return value as JobRecord;
    this.opts.log?.warn({ jobId: id, problem }, 'a message on a job channel that is not its record; ignored');
    return undefined;
  }

  async ping(): Promise<boolean> {
    try {
      return (await guardRedis(() => this.client.ping(), this.client)) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.serial.idle();
    this.listeners.removeAllListeners();
    await Promise.allSettled([
      quit(this.client),
      this.subscriber ? quit(this.subscriber) : Promise.resolve(),
    ]);
  }
}

/** QUIT when connected, otherwise just drop the socket (QUIT would fail without an offline queue). */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through
    }
  }
  client.disconnect();
}
