import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.js';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService, uploadTempFiles } from '../helpers/services.js';
import { auth, KEY_A, keyedService, withSecurity } from './helpers.js';

let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

const MB = 1024 * 1024;

/** Sends raw HTTP over TCP and resolves with the response and how many body bytes went out. */
function rawUpload(
  port: number,
  head: string,
  body: { chunk: Buffer; times: number },
): Promise<{ response: string; sent: number; reset: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    let done = false;
    let reset = false;
    const finish = () => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve({ response, sent, reset });
    };
    sock.on('data', (d) => {
      response += d.toString('latin1');
      if (/\r\n\r\n/.test(response)) setTimeout(finish, 20);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      reset = err.code === 'ECONNRESET' || err.code === 'EPIPE';
      finish();
    });
    sock.on('close', finish);
    sock.on('connect', () => {
      sock.write(head);
      let i = 0;
      const pump = () => {
        while (!done && i < body.times) {
          i++;
          sent += body.chunk.length;
          if (!sock.write(body.chunk)) return void sock.once('drain', pump);
        }
      };
      pump();
    });
    setTimeout(() => (done ? undefined : reject(new Error('no answer'))), 30_000).unref();
  });
}

/** Finding 9: a 200 MB upload over MAX_FILE_SIZE was refused only after all of it arrived. */
describe('upload limits are enforced where they are cheap', () => {
  it('refuses a Content-Length over the limit with 413 before reading the body', async () => {
    svc = await startTestService({ config: { maxFileSize: 1 * MB } });
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (svc.app.server.address() as AddressInfo).port;
    const boundary = 'xyz';
    const head =
      `POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
      `Content-Length: ${200 * MB}\r\n\r\n`;
    // Send nothing of the body: the answer must come anyway.
    const { response } = await rawUpload(port, head, { chunk: Buffer.alloc(0), times: 0 });
    expect(response).toMatch(/^HTTP\/1\.1 413/);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(uploadTempFiles(svc)).toEqual([]);
  });

  it('stops a chunked upload at the limit instead of reading it all', async () => {
    svc = await startTestService({ config: { maxFileSize: 1 * MB } });
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (svc.app.server.address() as AddressInfo).port;
    const head =
      'POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=xyz\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n';
    const preamble = '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n';
    const chunk = Buffer.alloc(256 * 1024, 1);
    const frame = (b: Buffer) =>
      Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
    const sock = await rawUpload(
      port,
      head + `${Buffer.byteLength(preamble).toString(16)}\r\n${preamble}\r\n`,
      {
        chunk: frame(chunk),
        times: 800, // 200 MB if all were read
      },
    );
    // The server answers 413 and closes while the client is still sending: the client reads the
    // answer, or (a TCP race any client has when a server closes on unread data) the connection
    // is reset before the answer is read. Either way the server stopped reading early.
    if (sock.response === '') expect(sock.reset).toBe(true);
    else expect(sock.response).toMatch(/^HTTP\/1\.1 413/);
    expect(sock.sent).toBeLessThan(100 * MB);
    // Nothing of it stays on disk.
    await new Promise((r) => setTimeout(r, 50));
    expect(uploadTempFiles(svc)).toEqual([]);
  });

  it('answers 503 with Retry-After at once when every upload slot is taken', async () => {
    svc = await startTestService({ config: withSecurity({ maxConcurrentUploads: 1 }) });
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (svc.app.server.address() as AddressInfo).port;
    // A slow client holds the one slot: headers and part of the body, then silence.
    const held = net.connect(port, '127.0.0.1');
    await new Promise((r) => held.on('connect', r));
    held.write(
      'POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n--xyz\r\n',
    );
    await new Promise((r) => setTimeout(r, 100));
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const res = await fetch(`http://127.0.0.1:${port}/api/process`, {
      method: 'POST',
      body: payload,
      headers,
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BUSY');
    held.destroy();
    // The slot comes back once the slow request is gone.
    await new Promise((r) => setTimeout(r, 200));
    const again = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(again.statusCode).toBe(202);
  });

  it('reports degraded on /health, and refuses uploads with 503 + Retry-After, when the queues are full', async () => {
    svc = await startTestService({ config: withSecurity({ maxQueuedTasks: 1 }), workers: false });
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    expect((await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).statusCode).toBe(
      202,
    );
    const refused = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json().error.code).toBe('QUEUE_FULL');
    const health = await svc.app.inject('/health');
    expect(health.statusCode).toBe(503);
    expect(health.json().status).toBe('degraded');
    expect(health.json().reasons[0].code).toBe('QUEUE_FULL');
  });

  it('reports degraded on /health when the disk is too full for an upload', async () => {
    svc = await startTestService({ config: { minFreeDiskMb: 1024 * 1024 * 1024 } });
    const health = await svc.app.inject('/health');
    expect(health.json().status).toBe('degraded');
    expect(health.json().reasons[0].code).toBe('INSUFFICIENT_STORAGE');
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode).toBe(507);
  });
});

/** Finding 5: a WAV header claiming 1 000 000 000 Hz froze the server; 64 channels were accepted. */
describe('audio header limits', () => {
  function wavClaiming(sampleRate: number, channels: number): Buffer {
    const wav = encodeWav({ sampleRate: 44100, channels: [new Float32Array(44100 * 4)] });
    wav.writeUInt16LE(channels, 22);
    wav.writeUInt32LE(sampleRate, 24);
    wav.writeUInt16LE(channels * 2, 32);
    return wav;
  }

  it.each([
    [1_000_000_000, 1, 'BAD_SAMPLE_RATE'],
    [4000, 1, 'BAD_SAMPLE_RATE'],
    [384_001, 2, 'BAD_SAMPLE_RATE'],
    [0, 2, 'BAD_SAMPLE_RATE'],
    [44100, 64, 'BAD_CHANNELS'],
    [44100, 9, 'BAD_CHANNELS'],
    [44100, 0, 'BAD_CHANNELS'],
  ])('refuses a header claiming %d Hz, %d channels with 422', async (rate, channels, code) => {
    svc ??= await keyedService();
    const { payload, headers } = multipart([
      { name: 'file', value: wavClaiming(rate, channels), filename: 'a.wav' },
    ]);
    const res = await svc.app.inject({
      method: 'POST',
      url: '/api/process',
      payload,
      headers: { ...headers, ...auth(KEY_A) },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe(code);
    expect((await svc.services.backends.store.list({ limit: 10 })).total).toBe(0);
  });

  it('accepts the edges: 8 kHz mono, 384 kHz and 8 channels', async () => {
    svc = await startTestService();
    for (const [sampleRate, channels] of [
      [8000, 1],
      [384_000, 8],
    ]) {
      const wav = encodeWav({
        sampleRate,
        channels: Array.from({ length: channels }, () => new Float32Array(sampleRate).fill(0.1)),
      });
      const { payload, headers } = multipart([{ name: 'file', value: wav, filename: 'a.wav' }]);
      const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
      expect(res.statusCode, `${sampleRate} Hz × ${channels}`).toBe(202);
    }
  });
});
