import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService } from '../helpers/services.js';
import { withSecurity } from './helpers.js';
import { listen, rawRequest } from './raw-http.js';

/**
 * Finding 13: requests refused before any route ran — a URL that does not percent-decode, a
 * path segment over the router's limit, and whatever Node's HTTP parser refuses (an unknown
 * method, a malformed header, oversized headers) — were answered in Fastify's own JSON
 * (`{"error":"Bad Request","message":"Client Error","statusCode":400}`), not the API's error body;
 * a request without Host and an unknown `Expect` got Node's empty 400 and 417.
 * Finding 14: HEAD on the events of an unfinished job never ended (a stream with no body for
 * HEAD, open until the job ended). Finding 15: a JSON body sent slowly was waited for for ever.
 */
let svc: TestService;
let port: number;
let running: string;

beforeAll(async () => {
  // No workers: the job stays queued, so its event stream would stay open.
  svc = await startTestService({ workers: false, config: withSecurity({ requestTimeoutS: 1 }) });
  port = await listen(svc);
  const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
  running = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json().job_id;
});
afterAll(() => svc.close());

const get = (line: string, extra = '') => `${line} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`;

function errorOf(body: string): { code: string; message: string } {
  const parsed = JSON.parse(body) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message']);
  return parsed.error;
}

describe('requests refused before a route runs get the API error body', () => {
  it.each([
    ['a bad percent-encoding', get('GET /api/status/%zz'), 400, 'BAD_URL'],
    ['a lone percent sign', get('GET /api/files/00000000-0000-4000-8000-000000000000/%'), 400, 'BAD_URL'],
    ['an overlong path segment', get(`GET /api/status/${'a'.repeat(1000)}`), 414, 'URL_TOO_LONG'],
    ['an unknown method', get('BREW /api/jobs'), 400, 'BAD_REQUEST'],
    ['a header name with a space', get('GET /api/jobs', 'Bad Header: y\r\n'), 400, 'BAD_REQUEST'],
    [
      'a Content-Length that is not a number',
      get('POST /api/process', 'Content-Length: abc\r\n'),
      400,
      'BAD_REQUEST',
    ],
    [
      'headers over the size limit',
      get('GET /api/jobs', `X-Big: ${'a'.repeat(20_000)}\r\n`),
      431,
      'HEADERS_TOO_LARGE',
    ],
    [
      'an HTTP/1.1 request without Host',
      'GET /api/jobs HTTP/1.1\r\nConnection: close\r\n\r\n',
      400,
      'MISSING_HOST',
    ],
    [
      'an Expect other than 100-continue',
      get('POST /api/process', 'Expect: a-teapot\r\nContent-Length: 0\r\n'),
      417,
      'EXPECTATION_FAILED',
    ],
  ])('%s', async (_name, request, status, code) => {
    const answer = await rawRequest(port, request);
    expect(answer.status).toBe(status);
    expect(answer.headers).toContain('content-type: application/json');
    const error = errorOf(answer.body);
    expect(error.code).toBe(code);
    expect(error.message).not.toContain('aaaa');
  });
});

it('a plugin refusal without a code is named by its status (Swagger UI static files, `..`)', async () => {
  const answer = await rawRequest(port, get('GET /docs/static/%2e%2e/%2e%2e/package.json'));
  expect(answer.status).toBe(403);
  expect(errorOf(answer.body).code).toBe('FORBIDDEN');
});

it('an HTTP/1.0 request may leave out Host', async () => {
  const answer = await rawRequest(port, 'GET /health HTTP/1.0\r\n\r\n');
  expect(answer.status).toBe(200);
});

describe('nothing waits for ever', () => {
  it('HEAD on the events of an unfinished job answers with the headers and ends', async () => {
    const answer = await rawRequest(port, get(`HEAD /api/jobs/${running}/events`));
    expect(answer.ended).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.headers).toContain('content-type: text/event-stream');
    expect(answer.body).toBe('');
    expect((await svc.services.backends.store.get(running))?.status).toBe('queued');
  });

  it('a JSON body that stops coming is answered 408 within REQUEST_TIMEOUT', async () => {
    const answer = await rawRequest(
      port,
      `POST /api/jobs/${running}/variants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        'Content-Length: 100\r\n\r\n{"semitones":',
    );
    expect(answer.status).toBe(408);
    expect(errorOf(answer.body).code).toBe('REQUEST_TIMEOUT');
  });
});
