import { afterEach, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService, uploadTempFiles } from '../helpers/services.js';
import { withSecurity } from './helpers.js';
import { eventually, listen, rawRequest } from './raw-http.js';

/**
 * Audit 2, finding 3: a connection on which nothing moved was kept until REQUEST_TIMEOUT
 * (600 s by default): an upload stalled half-way held its slot that long, and a client that
 * never read an answer held its socket for ever. IDLE_TIMEOUT (here 0.3 s, REQUEST_TIMEOUT
 * left at 600 s) now answers a stalled body 408 REQUEST_IDLE (a client that stops reading an
 * answer is cut off the same way; loopback buffers are too large to show it here).
 */
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

const config = withSecurity({ idleTimeoutS: 0.3, requestTimeoutS: 600, maxConcurrentUploads: 1 });

describe('IDLE_TIMEOUT', () => {
  it('an upload that stalls mid-body gets 408 REQUEST_IDLE; the slot and the temp file are freed', async () => {
    svc = await startTestService({ config });
    const port = await listen(svc);
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const head =
      `POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: ${headers['content-type']}\r\n` +
      `Content-Length: ${payload.length}\r\n\r\n`;
    const started = Date.now();
    const answer = await rawRequest(
      port,
      Buffer.concat([Buffer.from(head), payload.subarray(0, 2000)]),
      10_000,
    );
    expect(answer.status).toBe(408);
    expect(answer.ended).toBe(true);
    expect(JSON.parse(answer.body).error.code).toBe('REQUEST_IDLE');
    expect(Date.now() - started).toBeLessThan(9_000);
    await eventually(() => uploadTempFiles(svc!).length === 0);
    await eventually(
      async () =>
        (await svc!.app.inject({ method: 'POST', url: '/api/process', payload, headers })).statusCode === 202,
    );
  });

  it('a JSON body trickled and then stopped gets 408 too', async () => {
    svc = await startTestService({ config, workers: false });
    const port = await listen(svc);
    const answer = await rawRequest(
      port,
      'POST /api/jobs/00000000-0000-4000-8000-000000000000/variants HTTP/1.1\r\nHost: x\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"tem',
      10_000,
    );
    expect(answer.status).toBe(408);
    expect(answer.ended).toBe(true);
  });
});
