import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, type TestService } from '../helpers/services.js';
import { KEY_A, keyedService } from './helpers.js';
import { listen, rawRequest } from './raw-http.js';

/**
 * Audit 3, raw-socket findings:
 *  - Pipelining: 5000 `GET /docs/json` in one write, never read, were all routed and their
 *    answers held in memory (the process grew by more than 1 GB). A connection with more than
 *    MAX_PIPELINED answers outstanding is now closed, and requests past it are not routed
 *    (pipelining.ts). A client that pipelines a few requests and reads gets every answer.
 *  - `Expect: 100-continue`: Node said "100 Continue" at once, so an upload refused for its
 *    Content-Length (413) or its key (401) was told to send its body first. The 100 is now sent
 *    when the route reads the body (protocol.ts); a refusal before that comes instead of it.
 *  - Two Host headers: Node kept the first (a proxy may route by the other); now 400
 *    DUPLICATE_HOST (RFC 9112 §3.2).
 */
let svc: TestService;
let port: number;
beforeAll(async () => {
  svc = await keyedService({ idleTimeoutS: 600, requestTimeoutS: 600 });
  port = await listen(svc);
});
afterAll(() => svc.close());

describe('pipelining', () => {
  it('many pipelined requests never read: the connection is closed', async () => {
    const sockets: net.Socket[] = [];
    const onConnection = (s: net.Socket) => sockets.push(s);
    svc.app.server.on('connection', onConnection);
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    client.pause();
    client.write('GET /docs/json HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2000));
    await vi.waitFor(() => expect(sockets.length).toBe(1), { timeout: 20_000 });
    await vi.waitFor(() => expect(sockets[0]!.destroyed).toBe(true), { timeout: 30_000, interval: 100 });
    svc.app.server.off('connection', onConnection);
    client.destroy();
  });

  it('a few pipelined requests that the client reads are all answered in order', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
    const text = ids
      .map(
        (id, i) =>
          `GET /api/status/${id} HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY_A}\r\n${i === 9 ? 'Connection: close\r\n' : ''}\r\n`,
      )
      .join('');
    const all = await new Promise<string>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      let out = '';
      sock.on('data', (d) => (out += d.toString('latin1')));
      sock.on('close', () => resolve(out));
      sock.write(text);
    });
    expect(all.match(/HTTP\/1\.1 404/g)?.length).toBe(10);
    for (const id of ids) expect(all).toContain(id);
  });
});

describe('Expect: 100-continue', () => {
  const head = (extra: string, length: number) =>
    `POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n` +
    `Content-Length: ${length}\r\nExpect: 100-continue\r\n${extra}\r\n`;

  it('an upload refused for its size or its key gets the refusal, not 100 Continue', async () => {
    const big = await rawRequest(port, head(`x-api-key: ${KEY_A}\r\n`, 999_999_999_999));
    expect(big.headers).toMatch(/^http\/1\.1 413/);
    expect(JSON.parse(big.body).error.code).toBe('FILE_TOO_LARGE');
    const nokey = await rawRequest(port, head('Connection: close\r\n', 1000));
    expect(nokey.headers).toMatch(/^http\/1\.1 401/);
  });

  it('an upload that is accepted gets 100 Continue, then sends its body and gets 202', async () => {
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(0.5), filename: 'a.wav' }]);
    const answer = await new Promise<string>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      let out = '';
      sock.on('data', (d) => {
        out += d.toString('latin1');
        if (/^HTTP\/1\.1 100 Continue\r\n\r\n$/.test(out)) sock.write(payload);
      });
      sock.on('close', () => resolve(out));
      sock.write(
        `POST /api/process HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY_A}\r\nContent-Type: ${headers['content-type']}\r\n` +
          `Content-Length: ${payload.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202/);
  });
});

describe('Host', () => {
  it('two Host headers are 400 DUPLICATE_HOST', async () => {
    const answer = await rawRequest(
      port,
      'GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe('DUPLICATE_HOST');
    expect(
      (await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')).status,
    ).toBe(200);
  });
});
