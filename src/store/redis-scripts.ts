import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Lua scripts of the Redis job store. Each runs atomically inside Redis, which is what makes a
 * job update all-or-nothing across processes: the record, its indexes, its TTL and its change
 * event move together.
 */

/** Results of WRITE_JOB below 0. */
export const WRITE_CONFLICT = -1;
export const WRITE_MISSING = -2;
export const WRITE_EXISTS = -3;

/**
 * WRITE_JOB — create or compare-and-set one job.
 * KEYS: 1 job hash, 2 index zset (by creation), 3 unfinished set, 4 finished zset (by finish time)
 * ARGV: 1 expected revision ("" = create: the hash must not exist), 2 job id,
 *       3 creation score (ms), 4 "1" if the job is terminal, 5 finish score (ms),
 *       6 TTL in seconds once terminal (0 = none), 7 event channel, 8 event payload,
 *       9… field, value pairs of the whole record
 * Returns the new revision (≥ 1), or WRITE_CONFLICT (revision moved on: re-read and retry),
 * WRITE_MISSING (update of a job that does not exist), WRITE_EXISTS (create of an existing job).
 * The hash is rewritten whole (DEL + HSET) so fields the record dropped do not linger.
 */
export const WRITE_JOB = `
local expected = ARGV[1]
local current = redis.call('HGET', KEYS[1], 'rev')
if expected == '' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return ${WRITE_EXISTS} end
elseif not current then
  return ${WRITE_MISSING}
elseif current ~= expected then
  return ${WRITE_CONFLICT}
end
local rev = 1
if current then rev = tonumber(current) + 1 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'rev', rev, unpack(ARGV, 9))
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
if ARGV[4] == '1' then
  redis.call('SREM', KEYS[3], ARGV[2])
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[2])
  local ttl = tonumber(ARGV[6])
  if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
else
  redis.call('SADD', KEYS[3], ARGV[2])
  redis.call('ZREM', KEYS[4], ARGV[2])
end
redis.call('PUBLISH', ARGV[7], ARGV[8])
return rev
`;

/**
 * DELETE_JOB — remove a job and its index entries.
 * KEYS: 1 job hash, 2 index zset, 3 unfinished set, 4 finished zset; ARGV: 1 job id. Returns 1.
 */
export const DELETE_JOB = `
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return 1
`;

const shas = new Map<string, string>();

function sha1(script: string): string {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  return sha;
}

/** EVALSHA, loading the script with EVAL the first time a server has not seen it. */
export async function runScript(
  client: Redis,
  script: string,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(sha1(script), keys.length, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return client.eval(script, keys.length, ...keys, ...args);
    }
    throw err;
  }
}
