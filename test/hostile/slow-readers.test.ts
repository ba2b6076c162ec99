import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService } from '../helpers/services.js';
import { withSecurity } from './helpers.js';
import { listen } from './raw-http.js';

/**
 * Audit 3, left over from audit 2: clients that take an answer too slowly or never.
 *  - A download that the client stops reading is cut off after IDLE_TIMEOUT once the socket
 *    buffers are full (held; the file is made larger than loopback buffers hold).
 *  - An event stream that the client never reads was kept (with its slot) for as long as the job
 *    ran: heartbeats fit the socket buffers for years. A stream now ends after REQUEST_TIMEOUT
 *    (sse.ts) and gives its slot back; an EventSource reconnects.
 *  - A body trickled faster than IDLE_TIMEOUT is bounded by REQUEST_TIMEOUT (held): 408, the
 *    upload slot and the temp file freed. Its size is bounded by MAX_FILE_SIZE.
 */
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

/** The server's side of every connection, to see when the server drops one. */
function serverSockets(s: TestService): net.Socket[] {
  const sockets: net.Socket[] = [];
  s.app.server.on('connection', (socket: net.Socket) => sockets.push(socket));
  return sockets;
}

/** Sends `head` and resolves with what came back once it matches `until` (or the server closes). */
function readUntil(port: number, head: string, until: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    const done = () => {
      sock.destroy();
      resolve(out);
    };
    sock.on('data', (d) => {
      out += d.toString('latin1');
      if (until.test(out)) done();
    });
    sock.on('close', done);
    sock.on('error', () => undefined);
    sock.write(head);
  });
}

async function queuedJob(s: TestService, seconds: number): Promise<string> {
  const { payload, headers } = multipart([{ name: 'file', value: toneWav(seconds), filename: 'a.wav' }]);
  const res = await s.app.inject({ method: 'POST', url: '/api/process', payload, headers });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().job_id as string;
}

describe('slow readers', () => {
  it('a download the client stops reading is dropped after IDLE_TIMEOUT', async () => {
    svc = await startTestService({
      workers: false,
      config: withSecurity({ idleTimeoutS: 0.5, requestTimeoutS: 600 }),
    });
    // 200 s of stereo 16-bit audio: 35 MB, more than the loopback socket buffers take.
    const id = await queuedJob(svc, 200);
    const port = await listen(svc);
    const sockets = serverSockets(svc);
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    client.once('data', () => client.pause());
    client.write(`GET /api/files/${id}/original.wav HTTP/1.1\r\nHost: x\r\n\r\n`);
    await vi.waitFor(() => expect(sockets.length).toBe(1), { timeout: 20_000 });
    await vi.waitFor(() => expect(sockets[0]!.destroyed).toBe(true), { timeout: 30_000, interval: 100 });
    client.destroy();
  }, 90_000);

  it('an event stream that is never read ends after REQUEST_TIMEOUT and gives its slot back', async () => {
    svc = await startTestService({
      workers: false,
      config: withSecurity({ idleTimeoutS: 600, requestTimeoutS: 2, maxEventStreamsPerClient: 1 }),
    });
    const id = await queuedJob(svc, 1);
    const port = await listen(svc);
    // A client that takes the answer's head and then never reads again: it holds the only slot.
    const reader = net.connect(port, '127.0.0.1');
    reader.on('error', () => undefined);
    const opened = new Promise<string>((resolve) =>
      reader.once('data', (d) => resolve(d.toString('latin1'))),
    );
    reader.once('data', () => reader.pause());
    reader.write(`GET /api/jobs/${id}/events HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(await opened).toMatch(/^HTTP\/1\.1 200/);
    // Refused (429) while it holds the slot; once its stream has ended, a stream for the next one,
    // which itself ends at the limit with a reconnect hint. Before, the slot was held for good.
    await vi.waitFor(
      async () => {
        const head = `GET /api/jobs/${id}/events HTTP/1.1\r\nHost: x\r\n\r\n`;
        const answer = await readUntil(port, head, /retry: \d+|^HTTP\/1\.1 4/);
        expect(answer).toMatch(/^HTTP\/1\.1 200/);
        expect(answer).toMatch(/retry: \d+/);
      },
      { timeout: 60_000, interval: 200 },
    );
    reader.destroy();
  }, 90_000);

  it('a body trickled just inside IDLE_TIMEOUT is cut at REQUEST_TIMEOUT: 408, slot and temp file freed', async () => {
    svc = await startTestService({
      config: withSecurity({ idleTimeoutS: 60, requestTimeoutS: 1, maxConcurrentUploads: 1 }),
    });
    const port = await listen(svc);
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    let answer = '';
    client.on('data', (d) => (answer += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    client.write(
      `POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: ${headers['content-type']}\r\n` +
        `Content-Length: ${payload.length}\r\n\r\n`,
    );
    let sent = 0;
    const trickle = setInterval(() => {
      if (client.destroyed || sent >= payload.length) return;
      client.write(payload.subarray(sent, sent + 64));
      sent += 64;
    }, 20);
    await closed;
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"REQUEST_TIMEOUT"');
    expect(sent).toBeLessThan(payload.length);
    const tmp = path.join(svc.config.storageDir, 'tmp');
    await vi.waitFor(() => expect(!fs.existsSync(tmp) || fs.readdirSync(tmp).length === 0).toBe(true), {
      timeout: 20_000,
    });
    await vi.waitFor(
      async () =>
        expect(
          (await svc!.app.inject({ method: 'POST', url: '/api/process', payload, headers })).statusCode,
        ).toBe(202),
      { timeout: 20_000, interval: 100 },
    );
  }, 90_000);
});
