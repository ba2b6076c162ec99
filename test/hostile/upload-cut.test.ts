import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService } from '../helpers/services.js';
import { withSecurity } from './helpers.js';
import { eventually, listen, rawRequest } from './raw-http.js';

/**
 * Finding 11: an upload whose form the multipart parser gave up on — a 21st field, or a body
 * that ends inside the file — hung for ever (the file part was destroyed after its last byte,
 * and Node's pipeline() never settles for that), holding an upload slot. Finding 12: a client
 * that sends a body slowly, or stops half-way, held its slot for ever (no request timeout).
 * Each is now a 4xx, with nothing left in STORAGE_DIR/tmp and the slot given back.
 */
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

const song = { name: 'file', value: toneWav(1), filename: 'a.wav' };
const fields = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `f${i}`, value: 'x' }));

function leftovers(s: TestService): string[] {
  const dirs = ['tmp', 'jobs'].map((d) => path.join(s.config.storageDir, d));
  return dirs.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d) : []));
}

async function send(s: TestService, body: { payload: Buffer; headers: Record<string, string> }) {
  return s.app.inject({ method: 'POST', url: '/api/process', ...body });
}

describe('a form the parser gives up on is refused, not left hanging', () => {
  it.each([
    ['more fields than allowed, before the file', [...fields(25), song], 'TOO_MANY_FIELDS'],
    ['more fields than allowed, after the file', [song, ...fields(25)], 'TOO_MANY_FIELDS'],
    [
      'the same field twice',
      [{ name: 'stages', value: 'beats' }, { name: 'stages', value: 'all' }, song],
      'DUPLICATE_FIELD',
    ],
  ])('%s', async (_name, parts, code) => {
    svc ??= await startTestService({ config: withSecurity({ maxConcurrentUploads: 1 }) });
    const res = await send(svc, multipart(parts));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe(code);
    expect(leftovers(svc)).toEqual([]);
  });

  it('a body that ends inside the file', async () => {
    svc = await startTestService({ config: withSecurity({ maxConcurrentUploads: 1 }) });
    const { payload, headers } = multipart([song]);
    for (const cut of [300, payload.length >> 1, payload.length - 60]) {
      const res = await send(svc, { payload: payload.subarray(0, cut), headers });
      expect(res.statusCode, `cut at ${cut}`).toBe(400);
      expect(res.json().error.code).toBe('UPLOAD_FAILED');
    }
    expect(leftovers(svc)).toEqual([]);
    // The one upload slot came back each time.
    expect((await send(svc, { payload, headers })).statusCode).toBe(202);
  });
});

describe('a slow or stalled upload over a real connection', () => {
  function head(payload: Buffer, headers: Record<string, string>): string {
    return (
      `POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: ${headers['content-type']}\r\n` +
      `Content-Length: ${payload.length}\r\n\r\n`
    );
  }

  it('a client that stops half-way through the file gets 408 within REQUEST_TIMEOUT; the slot and disk are freed', async () => {
    svc = await startTestService({ config: withSecurity({ maxConcurrentUploads: 1, requestTimeoutS: 1 }) });
    const port = await listen(svc);
    const { payload, headers } = multipart([song]);
    const half = Buffer.concat([
      Buffer.from(head(payload, headers)),
      payload.subarray(0, payload.length >> 1),
    ]);
    const answer = await rawRequest(port, half);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body).error.code).toBe('REQUEST_TIMEOUT');
    await eventually(() => leftovers(svc!).length === 0);
    expect((await send(svc, { payload, headers })).statusCode).toBe(202);
  });

  it('a client that hangs up half-way through the file leaves nothing behind', async () => {
    svc = await startTestService({ config: withSecurity({ maxConcurrentUploads: 1 }) });
    const port = await listen(svc);
    const { payload, headers } = multipart([song]);
    const half = Buffer.concat([
      Buffer.from(head(payload, headers)),
      payload.subarray(0, payload.length >> 1),
    ]);
    // Gives up waiting after a moment and closes the connection (the server never answers it).
    await rawRequest(port, half, 200);
    await eventually(() => leftovers(svc!).length === 0);
    await eventually(async () => (await send(svc!, { payload, headers })).statusCode === 202);
  });
});
