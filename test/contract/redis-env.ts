import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the contract and Redis tests use (127.0.0.1:6379 here and in CI). */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379/0';

/** A prefix no other test (or run) shares, so tests never see each other's keys. */
export function testPrefix(tag: string): string {
  return `test-${tag}-${randomUUID().slice(0, 8)}`;
}

/** Delete every key under a prefix (SCAN, never KEYS, so a shared Redis is not blocked). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
