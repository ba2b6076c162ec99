import dns from 'node:dns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOOKUP_TIMEOUT_MS, MAX_PENDING_LOOKUPS } from '../../src/infra/ssrf-guard.js';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, uploadTempFiles, type TestService } from '../helpers/services.js';
import { withSecurity } from './helpers.js';

/**
 * Audit 7, row 1: the webhook host of an upload is resolved at submit with `dns.lookup`, which
 * has no timeout (getaddrinfo on libuv's pool). A resolver that never answers is made here by
 * a look-up that never settles: the upload was never answered (its slot and temp file held),
 * and every such upload held one more pool thread.
 */
let svc: TestService | undefined;
let release: (() => void)[] = [];
afterEach(async () => {
  for (const r of release) r();
  release = [];
  vi.restoreAllMocks();
  await svc?.close();
  svc = undefined;
});

function stallLookups(): void {
  vi.spyOn(dns.promises, 'lookup').mockImplementation(
    () =>
      new Promise((resolve) => {
        release.push(() => resolve([{ address: '93.184.215.14', family: 4 }] as never));
      }) as never,
  );
}

async function submit(s: TestService, host: string, from = '127.0.0.1') {
  const { payload, headers } = multipart([
    { name: 'webhook_url', value: `http://${host}/hook` },
    { name: 'file', value: toneWav(1), filename: 'a.wav' },
  ]);
  return s.app.inject({ method: 'POST', url: '/api/process', payload, headers, remoteAddress: from });
}

describe('audit 7: webhook host look-ups at submit are bounded', () => {
  it('answers 503 with Retry-After when the host does not resolve in time, nothing kept', async () => {
    svc = await startTestService({ config: withSecurity({ webhookSecret: 'webhook-secret-0123456789' }) });
    stallLookups();
    const res = await submit(svc, 'stall.example');
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('WEBHOOK_LOOKUP_BUSY');
    expect(res.headers['retry-after']).toBeDefined();
    expect(uploadTempFiles(svc)).toEqual([]);
    expect((await svc.services.backends.store.list({ limit: 10, offset: 0 })).total).toBe(0);
    expect(LOOKUP_TIMEOUT_MS).toBeLessThanOrEqual(10_000);
  });

  it('refuses a new look-up at once while MAX_PENDING_LOOKUPS are pending (pool threads kept for files)', async () => {
    svc = await startTestService({ config: withSecurity({ webhookSecret: 'webhook-secret-0123456789' }) });
    stallLookups();
    const stalled = Array.from({ length: MAX_PENDING_LOOKUPS }, (_, i) =>
      submit(svc!, `stall${i}.example`, `10.0.0.${i + 1}`),
    );
    // (from other addresses: one client holds at most MAX_UPLOADS_PER_CLIENT upload slots)
    // Each stalled upload starts its look-up once its body is read: wait for all of them.
    await vi.waitFor(() => expect(release.length).toBe(MAX_PENDING_LOOKUPS), { timeout: 20_000 });
    const extra = await submit(svc, 'another.example', '10.0.1.1');
    expect(extra.statusCode).toBe(503);
    expect(extra.json().error.code).toBe('WEBHOOK_LOOKUP_BUSY');
    expect(release.length).toBe(MAX_PENDING_LOOKUPS);
    for (const res of await Promise.all(stalled)) expect(res.statusCode).toBe(503);
    // Once the resolver answers, look-ups run again.
    for (const r of release) r();
    release = [];
    vi.restoreAllMocks();
    const later = await submit(svc, '127.0.0.1');
    expect(later.json().error.code).toBe('WEBHOOK_ADDRESS_BLOCKED');
  });

  it('a resolver failing for now (EAI_AGAIN) is 503 too; a name that does not exist stays 400', async () => {
    svc = await startTestService({ config: withSecurity({ webhookSecret: 'webhook-secret-0123456789' }) });
    const fail = (code: string) =>
      vi
        .spyOn(dns.promises, 'lookup')
        .mockImplementation(() => Promise.reject(Object.assign(new Error(code), { code })) as never);
    fail('EAI_AGAIN');
    const again = await submit(svc, 'flaky.example');
    expect(again.statusCode).toBe(503);
    expect(again.json().error.code).toBe('WEBHOOK_LOOKUP_BUSY');
    vi.restoreAllMocks();
    fail('ENOTFOUND');
    const missing = await submit(svc, 'missing.example');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('BAD_WEBHOOK_URL');
    expect(uploadTempFiles(svc)).toEqual([]);
  });
});
