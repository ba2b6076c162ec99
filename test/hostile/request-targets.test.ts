import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/services.js';
import { listen, rawRequest } from './raw-http.js';

/**
 * Audit 3: `GET *` (a target that is not a path) was routed to the player page, 200 HTML, and
 * `OPTIONS *` was a 404. Now (protocol.ts) a target is origin-form (`/…`) or absolute-form
 * (`http://host/…`, which RFC 9112 §3.2.2 says a server must accept), else 400
 * BAD_REQUEST_TARGET; `OPTIONS *` is 204 with the server's methods in Allow. (`GET api/jobs`
 * and `ftp://` targets were already refused, by Node's parser and by the router.)
 */
let svc: TestService;
let port: number;
beforeAll(async () => {
  svc = await startTestService({ workers: false });
  port = await listen(svc);
});
afterAll(() => svc.close());

const send = (line: string) => rawRequest(port, `${line} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

describe('request targets', () => {
  it.each(['GET *', 'HEAD *', 'POST *', 'DELETE *'])('%s is 400 BAD_REQUEST_TARGET', async (line) => {
    const answer = await send(line);
    expect(answer.status, answer.body).toBe(400);
    if (!line.startsWith('HEAD')) expect(JSON.parse(answer.body).error.code).toBe('BAD_REQUEST_TARGET');
  });

  it.each(['GET api/jobs', 'GET health', 'GET ftp://h/api/jobs'])(
    '%s is 400 with the error body',
    async (line) => {
      const answer = await send(line);
      expect(answer.status, answer.body).toBe(400);
      expect(JSON.parse(answer.body).error.code).toMatch(/^BAD_/);
    },
  );

  it('OPTIONS * is 204 with the methods the server takes', async () => {
    const answer = await send('OPTIONS *');
    expect(answer.status).toBe(204);
    expect(answer.headers).toMatch(/\r\nallow: delete, get, head, options, post(\r\n|$)/);
  });

  it('origin-form and absolute-form are routed as before', async () => {
    expect((await send('GET /health')).status).toBe(200);
    expect((await send('GET http://elsewhere.example/health')).status).toBe(200);
    expect((await send('GET /nope')).status).toBe(404);
  });
});
