import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors.js';

/**
 * Redis connections for distributed mode. Two kinds:
 *  - command clients for request paths (API routes, job store): no offline queue and a
 *    command timeout, so a route answers 503 within about a second while Redis is down
 *    instead of hanging, and works again by itself once the client has reconnected;
 *  - subscriber clients for pub/sub: they keep retrying and re-subscribe after a reconnect.
 * BullMQ builds its own connections from `bullmqConnection(url)`.
 */

/** How long one command may take before the caller gets REDIS_UNAVAILABLE. */
export const COMMAND_TIMEOUT_MS = 2000;
/** How long to wait for a TCP connection to Redis. */
export const CONNECT_TIMEOUT_MS = 2000;
/** Reconnect delay grows with each attempt up to this ceiling. */
const MAX_RECONNECT_DELAY_MS = 2000;
const RECONNECT_STEP_MS = 100;

export interface RedisEndpoint {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
}

/** Parse `redis://[user:pass@]host[:port][/db]` (or `rediss://` for TLS). */
export function parseRedisUrl(url: string): RedisEndpoint {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(`not a redis URL: ${redactRedisUrl(url)}`);
  const dbPart = u.pathname.replace(/^\//, '');
  const db = dbPart === '' ? 0 : Number(dbPart);
  if (!Number.isInteger(db) || db < 0) throw new Error(`bad database number in ${redactRedisUrl(url)}`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
  };
}

/** The URL without its password, for logs and /health. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://<unparseable>';
  }
}

function endpointOptions(e: RedisEndpoint): RedisOptions {
  return {
    host: e.host,
    port: e.port,
    db: e.db,
    ...(e.username ? { username: e.username } : {}),
    ...(e.password ? { password: e.password } : {}),
    ...(e.tls ? { tls: {} } : {}),
  };
}

function reconnectDelay(times: number): number {
  return Math.min(times * RECONNECT_STEP_MS, MAX_RECONNECT_DELAY_MS);
}

export type RedisRole = 'command' | 'subscriber';

export function createRedisClient(url: string, role: RedisRole, name?: string): Redis {
  const base: RedisOptions = {
    ...endpointOptions(parseRedisUrl(url)),
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: reconnectDelay,
    ...(name ? { connectionName: name } : {}),
  };
  const client =
    role === 'command'
      ? new Redis({
          ...base,
          enableOfflineQueue: false,
          enableAutoPipelining: true,
          maxRetriesPerRequest: 1,
          commandTimeout: COMMAND_TIMEOUT_MS,
        })
      : new Redis({ ...base, autoResubscribe: true, maxRetriesPerRequest: null });
  // Without a listener ioredis prints every failed reconnect; the state is reported by /health.
  client.on('error', () => undefined);
  return client;
}

/** Connection options for BullMQ, which creates (and owns) its own clients. */
export function bullmqConnection(url: string): RedisOptions {
  return {
    ...endpointOptions(parseRedisUrl(url)),
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: reconnectDelay,
  };
}

/** True for errors that mean "Redis is not reachable right now" (as opposed to a bug or a script error). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return /^(LOADING|READONLY|MASTERDOWN|BUSY)\b/.test(err.message);
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|connect ETIMEDOUT|Redis unavailable/i.test(
      err.message,
    )
  );
}

export function redisUnavailable(cause?: unknown): AppError {
  return new AppError('REDIS_UNAVAILABLE', 'the job store is unavailable', 503, { cause });
}

/** How long a command waits for a (re)connection in progress before answering REDIS_UNAVAILABLE. */
export const READY_WAIT_MS = 1000;

/**
 * Resolve once the client is connected, or reject with REDIS_UNAVAILABLE after `ms`. Without an
 * offline queue, a command sent while connecting would fail at once; this waits a little instead.
 */
export async function whenReady(client: Redis, ms = READY_WAIT_MS): Promise<void> {
  if (client.status === 'ready') return;
  // Between reconnect attempts Redis is known to be down: answer at once rather than pile up waits.
  if (client.status === 'reconnecting' || client.status === 'end' || client.status === 'close') {
    throw redisUnavailable(new Error(`Redis unavailable: ${client.status}`));
  }
  if (client.status === 'wait') client.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const timer = setTimeout(() => done(redisUnavailable(new Error('Redis unavailable: not connected'))), ms);
    client.on('ready', onReady);
  });
}

/**
 * Settle within `ms`: a command that was in flight when the connection dropped can stay pending
 * in ioredis until Redis is back (neither the offline-queue setting nor the command timeout
 * applies to it), which would stall every later update of that job behind it. The command may
 * still run after a reconnect; callers treat REDIS_UNAVAILABLE as "may or may not have happened",
 * which the compare-and-set updates tolerate.
 */
async function settleWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Redis unavailable: timed out')), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Run a Redis operation; connection failures and operations that do not settle within the
 * command timeout become REDIS_UNAVAILABLE (503). With a client, first wait briefly for it to
 * be connected.
 */
export async function guardRedis<T>(
  op: () => Promise<T>,
  client?: Redis,
  ms = COMMAND_TIMEOUT_MS,
): Promise<T> {
  try {
    if (client && client.status !== 'ready') await whenReady(client);
    return await settleWithin(op(), ms);
  } catch (err) {
    if (isConnectionError(err)) throw redisUnavailable(err);
    throw err;
  }
}

/** guardRedis for BullMQ calls (BullMQ owns its clients, which queue commands while offline). */
export async function withRedisTimeout<T>(p: Promise<T>, ms = COMMAND_TIMEOUT_MS): Promise<T> {
  return guardRedis(() => p, undefined, ms);
}
