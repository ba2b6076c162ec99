import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/services.js';
import { finishedJob } from './helpers.js';
import { listen, rawRequest } from './raw-http.js';

/**
 * Audit 4, findings 8 to 12: request heads the server read one way where a proxy in front may
 * read them another, or not at all.
 *  - A fragment in the target (`/api/jobs#limit=5`, never sent by a client, RFC 9112 §3.2) was
 *    read as the query string.
 *  - CONNECT got no answer at all (Node closes the socket when nobody listens for it).
 *  - A body with `Content-Encoding: gzip` (or `br`), or `Transfer-Encoding: gzip, chunked`,
 *    was read as if it were not encoded.
 *  - Two Content-Type (or Range, If-Range, If-Modified-Since) headers, or a Content-Type with
 *    one parameter twice (`charset=utf-8; charset=latin1`, two boundaries): the first won.
 *  - `GET /health HTTP/2.0` (HTTP/2 in HTTP/1 framing) was answered as HTTP/1.1.
 *  - An absolute-form target with userinfo (`http://u:p@x/health`) was routed (RFC 9110 §4.2.4).
 *  - A Host that is not a host (`a b`, `x/y`, `u@x`): answered (RFC 9112 §3.2 says 400).
 *  - `If-Modified-Since` with a date in the future was a 304 for ever after (RFC 9110 §13.1.3
 *    says to ignore such a date).
 * Each is now refused with the error body, before any body is read.
 */
let svc: TestService;
let port: number;
let id: string;
beforeAll(async () => {
  svc = await startTestService();
  id = await finishedJob(svc);
  port = await listen(svc);
});
afterAll(() => svc.close());

const HEAD = 'Host: x\r\nConnection: close\r\n';
const BODY = '{"semitones": 1}';

function variants(headers: string, body = BODY): string {
  return `POST /api/jobs/${id}/variants HTTP/1.1\r\n${HEAD}${headers}Content-Length: ${body.length}\r\n\r\n${body}`;
}

async function refused(text: string, status: number, code: string): Promise<void> {
  const answer = await rawRequest(port, text);
  expect(answer.status, answer.body.slice(0, 200)).toBe(status);
  expect(answer.body.slice(0, 200)).toContain(`"code":"${code}"`);
}

describe('a fragment in the request target', () => {
  it.each([['/api/jobs#limit=5'], ['/api/status/{id}#x'], ['/#top'], ['/health#']])(
    'GET %s',
    async (target) => {
      await refused(`GET ${target.replace('{id}', id)} HTTP/1.1\r\n${HEAD}\r\n`, 400, 'BAD_REQUEST_TARGET');
    },
  );
});

describe('userinfo in an absolute-form target', () => {
  it.each([['http://u:p@x/health'], ['http://u@x/api/jobs']])(
    'GET %s is 400 BAD_REQUEST_TARGET',
    async (target) => {
      await refused(`GET ${target} HTTP/1.1\r\n${HEAD}\r\n`, 400, 'BAD_REQUEST_TARGET');
    },
  );

  it('GET http://x/health is still answered', async () => {
    expect((await rawRequest(port, `GET http://x/health HTTP/1.1\r\n${HEAD}\r\n`)).status).toBe(200);
  });
});

describe('CONNECT', () => {
  it.each([['example.com:443'], ['/api/jobs']])('CONNECT %s is 405 with the error body', async (target) => {
    const answer = await rawRequest(port, `CONNECT ${target} HTTP/1.1\r\nHost: example.com:443\r\n\r\n`);
    expect(answer.status, answer.body).toBe(405);
    expect(JSON.parse(answer.body).error.code).toBe('METHOD_NOT_ALLOWED');
    expect(answer.headers).toMatch(/\r\nallow: /);
    expect(answer.ended).toBe(true);
  });
});

describe('encoded bodies', () => {
  it.each([['gzip'], ['br'], ['deflate'], ['gzip, identity']])(
    'Content-Encoding: %s is 415',
    async (coding) => {
      await refused(
        variants(`Content-Type: application/json\r\nContent-Encoding: ${coding}\r\n`),
        415,
        'UNSUPPORTED_CONTENT_ENCODING',
      );
    },
  );

  it('Content-Encoding on an upload is 415 too', async () => {
    await refused(
      `POST /api/process HTTP/1.1\r\n${HEAD}Content-Type: multipart/form-data; boundary=b\r\n` +
        `Content-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd`,
      415,
      'UNSUPPORTED_CONTENT_ENCODING',
    );
  });

  it('Transfer-Encoding: gzip, chunked is 501', async () => {
    await refused(
      `POST /api/jobs/${id}/variants HTTP/1.1\r\n${HEAD}Content-Type: application/json\r\n` +
        `Transfer-Encoding: gzip, chunked\r\n\r\n10\r\n${BODY}\r\n0\r\n\r\n`,
      501,
      'UNSUPPORTED_TRANSFER_ENCODING',
    );
  });

  it.each([['identity'], ['IDENTITY']])(
    'Content-Encoding: %s, and chunked alone, still pass',
    async (coding) => {
      const plain = await rawRequest(
        port,
        variants(`Content-Type: application/json\r\nContent-Encoding: ${coding}\r\n`),
      );
      expect(plain.status, plain.body).toBe(202);
      const chunked = await rawRequest(
        port,
        `POST /api/jobs/${id}/variants HTTP/1.1\r\n${HEAD}Content-Type: application/json\r\n` +
          `Transfer-Encoding: chunked\r\n\r\n10\r\n${BODY}\r\n0\r\n\r\n`,
      );
      expect(chunked.status, chunked.body).toBe(202);
    },
  );
});

describe('a header that takes one value, sent twice', () => {
  it.each([
    ['Content-Type', 'Content-Type: application/json\r\nContent-Type: text/plain\r\n'],
    ['Content-Type (the same value)', 'Content-Type: application/json\r\nContent-Type: application/json\r\n'],
  ])('%s on a body', async (_name, headers) => {
    await refused(variants(headers), 400, 'DUPLICATE_HEADER');
  });

  it.each([
    ['Range', 'Range: bytes=0-1\r\nRange: bytes=2-3\r\n'],
    ['If-Range', 'Range: bytes=0-1\r\nIf-Range: "a"\r\nIf-Range: "b"\r\n'],
    ['If-Modified-Since', 'If-Modified-Since: Tue, 01 Jan 2030 00:00:00 GMT\r\nIf-Modified-Since: x\r\n'],
  ])('%s on a download', async (_name, headers) => {
    await refused(
      `GET /api/files/${id}/original.wav HTTP/1.1\r\n${HEAD}${headers}\r\n`,
      400,
      'DUPLICATE_HEADER',
    );
  });

  it.each([
    ['application/json; charset=utf-8; charset=latin1'],
    ['application/json; CHARSET=utf-8; charset=utf-8'],
  ])('Content-Type: %s', async (type) => {
    await refused(variants(`Content-Type: ${type}\r\n`), 400, 'BAD_CONTENT_TYPE');
  });

  it('two boundaries on an upload', async () => {
    await refused(
      `POST /api/process HTTP/1.1\r\n${HEAD}Content-Type: multipart/form-data; boundary=a; boundary=b\r\n` +
        `Content-Length: 4\r\n\r\nabcd`,
      400,
      'BAD_CONTENT_TYPE',
    );
  });

  it('one charset, quoted, still passes', async () => {
    const answer = await rawRequest(port, variants('Content-Type: application/json; charset="utf-8"\r\n'));
    expect(answer.status, answer.body).toBe(202);
  });
});

describe('If-Modified-Since in the future', () => {
  it('is ignored: the file is sent', async () => {
    const res = await svc.app.inject({
      url: `/api/files/${id}/original.wav`,
      headers: { 'if-modified-since': 'Tue, 01 Jan 2999 00:00:00 GMT' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('a date from the file itself is still 304', async () => {
    const first = await svc.app.inject(`/api/files/${id}/original.wav`);
    const res = await svc.app.inject({
      url: `/api/files/${id}/original.wav`,
      headers: { 'if-modified-since': first.headers['last-modified'] as string },
    });
    expect(res.statusCode).toBe(304);
  });
});

describe('the HTTP version', () => {
  // Node's parser refuses other majors (HTTP/3.0) with 400 itself.
  it.each([['HTTP/2.0']])('%s in HTTP/1 framing is 505', async (version) => {
    const answer = await rawRequest(port, `GET /health ${version}\r\n${HEAD}\r\n`);
    expect(answer.status, answer.body).toBe(505);
    expect(JSON.parse(answer.body).error.code).toBe('HTTP_VERSION_NOT_SUPPORTED');
  });

  it.each([['HTTP/1.0'], ['HTTP/1.1']])('%s is answered', async (version) => {
    expect((await rawRequest(port, `GET /health ${version}\r\n${HEAD}\r\n`)).status).toBe(200);
  });
});

describe('the Host header', () => {
  it.each([['a b'], ['x/y'], ['u@x'], ['x:1:2'], ['x:port'], ['[::1'], ['<x>'], ['x\\y']])(
    'Host: %s is 400 BAD_HOST',
    async (host) => {
      await refused(`GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 400, 'BAD_HOST');
    },
  );

  it.each([
    ['x'],
    ['localhost:8000'],
    ['[::1]:80'],
    ['127.0.0.1'],
    ['xn--bcher-kva.example'],
    ['my_host.local'],
  ])('Host: %s is answered', async (host) => {
    const answer = await rawRequest(
      port,
      `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(200);
  });
});
