import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService } from '../helpers/services.js';
import { auth, KEY_A, KEY_B, keyedService, withSecurity } from './helpers.js';
import { eventually, listen } from './raw-http.js';

/**
 * Audit 2, findings 2 and 4: one client could hold every upload slot (8 slow uploads and the
 * service took no more from anyone), and event streams had no limit at all (each an open
 * socket, a subscription and a timer). Now each is limited per client (key, else address) with
 * 429 + Retry-After, and in all with 503 + Retry-After; a slot comes back when its request ends.
 */
let svc: TestService | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise((r) => setTimeout(r, 50));
  await svc?.close();
  svc = undefined;
});

/** Writes `head` on a new connection; resolves with the first chunk that comes back ('' if none in 300 ms). */
async function open(port: number, head: string): Promise<{ sock: net.Socket; first: string }> {
  const sock = net.connect(port, '127.0.0.1');
  sockets.push(sock);
  sock.on('error', () => undefined);
  await new Promise((r) => sock.on('connect', r));
  const first = new Promise<string>((resolve) => {
    const t = setTimeout(() => resolve(''), 300);
    sock.once('data', (d) => {
      clearTimeout(t);
      resolve(d.toString('latin1'));
    });
  });
  sock.write(head);
  return { sock, first: await first };
}

const slowUpload = (key: string) =>
  'POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=xyz\r\n' +
  `x-api-key: ${key}\r\nContent-Length: 100000\r\n\r\n--xyz\r\n`;

describe('upload slots are shared', () => {
  it('one key holding its share gets 429 + Retry-After; another key still uploads', async () => {
    svc = await keyedService({ maxConcurrentUploads: 4, maxUploadsPerClient: 2 });
    const port = await listen(svc);
    for (let i = 0; i < 2; i++) expect((await open(port, slowUpload(KEY_A))).first).toBe('');
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const mine = await svc.app.inject({
      method: 'POST',
      url: '/api/process',
      payload,
      headers: { ...headers, ...auth(KEY_A) },
    });
    expect(mine.statusCode).toBe(429);
    expect(mine.headers['retry-after']).toMatch(/^\d+$/);
    expect(mine.json().error.code).toBe('TOO_MANY_CONCURRENT');
    const theirs = await svc.app.inject({
      method: 'POST',
      url: '/api/process',
      payload,
      headers: { ...headers, ...auth(KEY_B) },
    });
    expect(theirs.statusCode, theirs.body).toBe(202);
    // A held slot comes back when its client goes away.
    sockets[0]?.destroy();
    await eventually(async () => {
      const again = await svc!.app.inject({
        method: 'POST',
        url: '/api/process',
        payload,
        headers: { ...headers, ...auth(KEY_A) },
      });
      return again.statusCode === 202;
    });
  });
});

describe('event streams are capped and given back', () => {
  const streamHead = (id: string) => `GET /api/jobs/${id}/events HTTP/1.1\r\nHost: x\r\n\r\n`;

  it('per client (429) and in all (503), each with Retry-After; a closed stream frees its slot', async () => {
    svc = await startTestService({
      workers: false,
      config: withSecurity({ maxEventStreams: 3, maxEventStreamsPerClient: 2 }),
    });
    const port = await listen(svc);
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const id = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json()
      .job_id as string;
    const a = await open(port, streamHead(id));
    const b = await open(port, streamHead(id));
    expect(a.first).toMatch(/^HTTP\/1\.1 200/);
    expect(b.first).toMatch(/^HTTP\/1\.1 200/);
    const third = await svc.app.inject(`/api/jobs/${id}/events`);
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toMatch(/^\d+$/);
    // Another address (a trusted proxy's X-Forwarded-For stands in for it) gets the last slot,
    // then the total is reached.
    // The server closes with streams still open (it waited for them for ever).
    await svc.close();
    svc = await startTestService({
      workers: false,
      config: withSecurity({ maxEventStreams: 2, maxEventStreamsPerClient: 1, trustProxy: 1 }),
    });
    const port2 = await listen(svc);
    const id2 = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json()
      .job_id as string;
    const from = (ip: string) =>
      `GET /api/jobs/${id2}/events HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${ip}\r\n\r\n`;
    const one = await open(port2, from('10.0.0.1'));
    expect(one.first).toMatch(/^HTTP\/1\.1 200/);
    expect((await open(port2, from('10.0.0.2'))).first).toMatch(/^HTTP\/1\.1 200/);
    const full = await open(port2, from('10.0.0.3'));
    expect(full.first).toMatch(/^HTTP\/1\.1 503/);
    expect(full.first.toLowerCase()).toContain('retry-after:');
    one.sock.destroy();
    await eventually(async () => (await open(port2, from('10.0.0.3'))).first.startsWith('HTTP/1.1 200'));
  });
});
