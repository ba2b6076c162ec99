import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/domain/job.js';
import { newJobRecord } from '../../src/domain/job.js';
import { WebhookSender } from '../../src/infra/webhooks.js';

/**
 * Audit 7, row 8: a webhook delivery was bounded only by an idle timeout (10 s without a byte).
 * A receiver that answers a byte at a time, each inside that, held the delivery (its socket and
 * memory) for as long as it liked: one per finished job naming it. A delivery now has a total
 * deadline (30 s; shorter here), after which it counts as failed and is retried.
 */
let server: http.Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

function job(url: string): JobRecord {
  const j = newJobRecord({
    id: '00000000-0000-4000-8000-000000000007',
    originalFilename: 'a.wav',
    fileExt: 'wav',
    fileSize: 1,
    audioDuration: 1,
    options: { stages: [] },
    now: new Date(),
  });
  j.status = 'completed';
  j.webhook_url = url;
  return j;
}

describe('audit 7: a webhook receiver that trickles its answer', () => {
  it('is cut at the deadline and retried, and the sender becomes idle', async () => {
    let requests = 0;
    server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-length': '1000000' });
      const tick = setInterval(() => (res.destroyed ? clearInterval(tick) : res.write('x')), 50);
    });
    server.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const sender = new WebhookSender({
      secret: 'webhook-secret-0123456789',
      allowPrivate: true,
      attempts: 2,
      baseDelayMs: 10,
      deadlineMs: 500,
    });
    sender.notify(job(`http://127.0.0.1:${port}/hook`));
    // Before the fix this never resolved: the first answer never ended.
    await sender.idle();
    expect(requests).toBe(2);
    sender.close();
  });
});
