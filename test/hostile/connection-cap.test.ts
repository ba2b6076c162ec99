import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/services.js';
import { withSecurity } from './helpers.js';
import { eventually, listen, rawRequest } from './raw-http.js';

/**
 * Audit 4, finding 5 (left by audit 3): nothing bounded how many connections one address held
 * open (`server.maxConnections` is one number for everyone; the rate limit counts requests, not
 * sockets). MAX_CONNECTIONS_PER_CLIENT (default 64, 0 = off) now bounds them: a connection over
 * it gets 429 TOO_MANY_CONNECTIONS with Retry-After and is closed, without being routed.
 * Connections from a trusted proxy (TRUST_PROXY) are not counted: they carry many clients.
 */
let svc: TestService | undefined;
const open: net.Socket[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await svc?.close();
  svc = undefined;
});

/** Opens `n` connections that send nothing and waits until the server holds all of them. */
async function hold(port: number, n: number, s: TestService): Promise<void> {
  for (let i = 0; i < n; i++) {
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', () => undefined);
    open.push(sock);
  }
  await eventually(
    () => new Promise((resolve) => s.app.server.getConnections((_e, count) => resolve(count >= n))),
  );
}

const GET_HEALTH = 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

describe('MAX_CONNECTIONS_PER_CLIENT', () => {
  it('a connection over the cap is answered 429 and closed; a freed one lets the next in', async () => {
    svc = await startTestService({ workers: false, config: withSecurity({ maxConnectionsPerClient: 3 }) });
    const port = await listen(svc);
    await hold(port, 3, svc);
    const refused = await rawRequest(port, GET_HEALTH);
    expect(refused.status).toBe(429);
    expect(refused.headers).toMatch(/retry-after: \d+/);
    expect(refused.headers).toContain('connection: close');
    expect(JSON.parse(refused.body).error.code).toBe('TOO_MANY_CONNECTIONS');
    expect(refused.ended).toBe(true);
    open.pop()!.destroy();
    await eventually(async () => (await rawRequest(port, GET_HEALTH)).status === 200);
  }, 60_000);

  it('0 turns it off', async () => {
    svc = await startTestService({ workers: false, config: withSecurity({ maxConnectionsPerClient: 0 }) });
    const port = await listen(svc);
    await hold(port, 5, svc);
    expect((await rawRequest(port, GET_HEALTH)).status).toBe(200);
  }, 60_000);

  it('connections from a trusted proxy are not capped', async () => {
    svc = await startTestService({
      workers: false,
      config: withSecurity({ maxConnectionsPerClient: 2, trustProxy: ['127.0.0.1'] }),
    });
    const port = await listen(svc);
    await hold(port, 3, svc);
    expect((await rawRequest(port, GET_HEALTH)).status).toBe(200);
  }, 60_000);

  it('the default is generous', async () => {
    svc = await startTestService({ workers: false });
    expect(svc.config.security.maxConnectionsPerClient).toBe(64);
    const port = await listen(svc);
    await hold(port, 10, svc);
    expect((await rawRequest(port, GET_HEALTH)).status).toBe(200);
  }, 60_000);
});
