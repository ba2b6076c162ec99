import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { uploadTempFiles } from '../helpers/services.js';
import { KEY_A, keyedJobOnPort } from './helpers.js';
import { rawRequest } from './raw-http.js';

/**
 * Audit 5, findings 6 and 7: requests refused before their body is read.
 *  - The refusal (401, 405, 415, …) kept the connection open, and Node read the rest of the
 *    body to throw it away: a chunked body has no end, so one client streamed 35 MB in 3 s into
 *    one 401 (and could for REQUEST_TIMEOUT). The answer now closes the connection.
 *  - An unknown path read its body first: `POST /nope` with bad JSON was 400 INVALID_JSON, with
 *    a latin1 charset 415, with a 2 MB body 413. It is 404 before the body, like a 405.
 * Each body here is sent in part and never ended: the server must answer and close by itself.
 */
let svc: TestService;
let port: number;
let id: string;
beforeAll(async () => ({ svc, port, id } = await keyedJobOnPort()));
afterAll(() => svc.close());

const CHUNK = `4000\r\n${'a'.repeat(0x4000)}\r\n`;

function unended(method: string, target: string, headers: string): string {
  return `${method} ${target.replace('{id}', id)} HTTP/1.1\r\nHost: x\r\n${headers}Transfer-Encoding: chunked\r\n\r\n${CHUNK}`;
}

describe('a request refused before its body is read', () => {
  it.each([
    ['POST', '/api/process', 401, 'UNAUTHORIZED', 'Content-Type: multipart/form-data; boundary=b\r\n'],
    ['POST', '/api/jobs/{id}/variants', 401, 'UNAUTHORIZED', 'Content-Type: application/json\r\n'],
    [
      'PUT',
      '/api/jobs/{id}/variants',
      405,
      'METHOD_NOT_ALLOWED',
      `x-api-key: ${KEY_A}\r\nContent-Type: application/json\r\n`,
    ],
    ['POST', '/nope', 404, 'NOT_FOUND', 'Content-Type: application/json\r\n'],
    [
      'DELETE',
      '/api/jobs/{id}',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `x-api-key: ${KEY_A}\r\nContent-Type: application/octet-stream\r\n`,
    ],
  ])(
    '%s %s: %i, and the connection is closed, the rest never read',
    async (method, target, status, code, headers) => {
      const answer = await rawRequest(port, unended(method, target, headers));
      expect(answer.status, answer.body.slice(0, 200)).toBe(status);
      expect(JSON.parse(answer.body).error.code).toBe(code);
      expect(answer.headers).toContain('\r\nconnection: close');
      expect(answer.ended).toBe(true);
      expect(uploadTempFiles(svc)).toEqual([]);
    },
  );

  it.each([
    ['bad JSON', 'application/json', '{bad'],
    ['a latin1 charset', 'application/json; charset=latin1', '{}'],
    ['a type no parser takes', 'application/x-foo', '{}'],
  ])('an unknown path with %s is 404, not a verdict on the body', async (_name, type, body) => {
    const answer = await rawRequest(
      port,
      `POST /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(answer.status, answer.body).toBe(404);
    expect(JSON.parse(answer.body).error.code).toBe('NOT_FOUND');
  });

  it('a refusal of a request without a body keeps the connection (keep-alive as before)', async () => {
    const first = `GET /api/jobs HTTP/1.1\r\nHost: x\r\n\r\n`;
    const second = `GET /api/status/${id} HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY_A}\r\nConnection: close\r\n\r\n`;
    const answer = await rawRequest(port, first + second);
    const text = `${answer.headers}\r\n\r\n${answer.body}`;
    expect(text.match(/http\/1\.1 (\d{3})/gi)).toEqual(['http/1.1 401', 'HTTP/1.1 200']);
    expect(answer.ended).toBe(true);
  });
});
