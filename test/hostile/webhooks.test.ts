import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isInternalAddress } from '../../src/infra/ssrf-guard.js';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/infra/webhooks.js';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';
import { withSecurity } from './helpers.js';

/** Webhooks: only ever sent to a server of this test on 127.0.0.1 (with the allow flag). */
const SECRET = 'webhook-secret-0123456789';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let svc: TestService | undefined;
let receiver: http.Server | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  receiver = undefined;
});

async function listen(statuses: number[]): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(got.length - 1, statuses.length - 1)];
      res.end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, got };
}

async function submit(s: TestService, webhookUrl: string) {
  const { payload, headers } = multipart([
    { name: 'webhook_url', value: webhookUrl },
    { name: 'file', value: toneWav(1), filename: 'a.wav' },
  ]);
  return s.app.inject({ method: 'POST', url: '/api/process', payload, headers });
}

describe('webhooks', () => {
  it('POSTs the final status, signed and timestamped, retrying after a 5xx', async () => {
    const hook = await listen([500, 503, 200]);
    svc = await startTestService({
      config: withSecurity({ webhookSecret: SECRET, webhookAllowPrivate: true }),
    });
    const res = await submit(svc, hook.url);
    expect(res.statusCode).toBe(202);
    const id = res.json().job_id as string;
    await waitForJob(svc.services, id);
    // The job is stored as finished just before the webhook is queued: wait for the first POST.
    await vi.waitFor(() => expect(hook.got.length).toBeGreaterThan(0), { timeout: 20_000 });
    await svc.services.webhooks!.idle();
    expect(hook.got.length).toBe(3);
    const last = hook.got[2];
    const ts = Number(last.headers[TIMESTAMP_HEADER]);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(600);
    expect(last.headers[SIGNATURE_HEADER]).toBe(signWebhook(SECRET, ts, last.body));
    expect(last.headers[SIGNATURE_HEADER]).not.toBe(signWebhook('other-secret-0123456', ts, last.body));
    const body = JSON.parse(last.body);
    expect(body).toMatchObject({ event: 'job.finished', job_id: id, status: 'completed' });
    // The URL is kept on the record but never shown to clients.
    expect((await svc.app.inject(`/api/status/${id}`)).body).not.toContain(hook.url);
  });

  it('gives up after the attempts, and does not retry a 4xx', async () => {
    const hook = await listen([404]);
    svc = await startTestService({
      config: withSecurity({ webhookSecret: SECRET, webhookAllowPrivate: true }),
    });
    const id = (await submit(svc, hook.url)).json().job_id as string;
    await waitForJob(svc.services, id);
    // The job is stored as finished just before the webhook is queued: wait for the first POST.
    await vi.waitFor(() => expect(hook.got.length).toBeGreaterThan(0), { timeout: 20_000 });
    await svc.services.webhooks!.idle();
    expect(hook.got.length).toBe(1);
  });

  it('refuses internal targets unless WEBHOOK_ALLOW_PRIVATE, and needs WEBHOOK_SECRET', async () => {
    svc = await startTestService({ config: withSecurity({ webhookSecret: SECRET }) });
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://[::1]:9/x',
      'http://10.1.2.3/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/x',
      'http://0.0.0.0/x',
      'http://localhost:9/x',
    ]) {
      const res = await submit(svc, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('WEBHOOK_ADDRESS_BLOCKED');
    }
    for (const url of ['ftp://127.0.0.1/x', 'file:///etc/passwd', 'not a url', 'http://user:pw@127.0.0.1/']) {
      const res = await submit(svc, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('BAD_WEBHOOK_URL');
    }
    await svc.close();
    svc = await startTestService();
    expect((await submit(svc, 'http://127.0.0.1/x')).json().error.code).toBe('WEBHOOKS_DISABLED');
    expect((await svc.services.backends.store.list({ limit: 10 })).total).toBe(0);
  });
});

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    'not-an-ip',
  ])('treats %s as internal', (addr) => {
    expect(isInternalAddress(addr)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'treats %s as public',
    (addr) => {
      expect(isInternalAddress(addr)).toBe(false);
    },
  );
});
