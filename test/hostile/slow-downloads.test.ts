import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService } from '../helpers/services.js';
import { withSecurity } from './helpers.js';
import { listen, rawRequest } from './raw-http.js';

/**
 * Audit 4, finding 4 (left by audit 3): a download read just fast enough to keep IDLE_TIMEOUT
 * from firing had no bound at all, a socket and a file descriptor held for as long as the client
 * liked. SEND_TIMEOUT now bounds the time an answer may take from its head to its last byte;
 * past it the connection is closed (a download can be resumed with Range). The test does not
 * depend on speed: the client reads far slower than the file's size needs, the limit is 1 s.
 */
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

async function queuedJob(s: TestService, seconds: number): Promise<string> {
  const { payload, headers } = multipart([{ name: 'file', value: toneWav(seconds), filename: 'a.wav' }]);
  const res = await s.app.inject({ method: 'POST', url: '/api/process', payload, headers });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().job_id as string;
}

describe('SEND_TIMEOUT', () => {
  it('a download trickled inside IDLE_TIMEOUT is cut off when its time is up', async () => {
    svc = await startTestService({
      workers: false,
      config: withSecurity({ idleTimeoutS: 600, requestTimeoutS: 600, sendTimeoutS: 1 }),
    });
    // 200 s of stereo 16-bit audio: 35 MB, far more than the client below reads in a minute.
    const id = await queuedJob(svc, 200);
    const port = await listen(svc);
    const server: net.Socket[] = [];
    svc.app.server.on('connection', (s: net.Socket) => server.push(s));
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    let received = 0;
    let head = '';
    client.on('data', (d: Buffer) => {
      if (received === 0) head = d.toString('latin1', 0, 12);
      received += d.length;
      // A trickle: a little now and then, always inside IDLE_TIMEOUT.
      client.pause();
      setTimeout(() => client.resume(), 100);
    });
    client.write(`GET /api/files/${id}/original.wav HTTP/1.1\r\nHost: x\r\n\r\n`);
    await vi.waitFor(() => expect(server.length).toBe(1), { timeout: 20_000 });
    await vi.waitFor(() => expect(server[0]!.destroyed).toBe(true), { timeout: 30_000, interval: 100 });
    expect(head).toBe('HTTP/1.1 200');
    expect(received).toBeLessThan(35_000_000);
    client.destroy();
  }, 90_000);

  it('an answer sent in time is not touched', async () => {
    svc = await startTestService({ workers: false, config: withSecurity({ sendTimeoutS: 1 }) });
    const id = await queuedJob(svc, 1);
    const port = await listen(svc);
    const answer = await rawRequest(
      port,
      `GET /api/files/${id}/original.wav HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(200);
    expect(Buffer.byteLength(answer.body, 'latin1')).toBe(toneWav(1).length);
  });
});
