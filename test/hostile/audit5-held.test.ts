import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { KEY_A, keyedJobOnPort } from './helpers.js';
import { rawRequest } from './raw-http.js';

/**
 * Audit 5: what was tried and already held (no change), kept as tests so the next audit need not
 * try it again. Raw sockets, so every byte is as sent.
 */
let svc: TestService;
let port: number;
let id: string;
beforeAll(async () => ({ svc, port, id } = await keyedJobOnPort()));
afterAll(() => svc.close());

async function get(target: string, headers = '', method = 'GET') {
  const text = `${method} ${target.replaceAll('{id}', id)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`;
  return rawRequest(port, Buffer.from(text, 'latin1'));
}

describe('the API key against encoding tricks', () => {
  it.each([
    ['percent-encoded', `x-api-key: ${KEY_A.replaceAll('-', '%2D')}\r\n`],
    ['upper case', `x-api-key: ${KEY_A.toUpperCase()}\r\n`],
    ['NBSP after Bearer, as UTF-8', `Authorization: Bearer\u00c2\u00a0${KEY_A}\r\n`],
    ['two in one x-api-key', `x-api-key: ${KEY_A}, ${KEY_A}\r\n`],
    ['Bearer twice in one header', `Authorization: Bearer ${KEY_A}, Bearer ${KEY_A}\r\n`],
    ['in the query as api_key', '', `?api_key=${KEY_A}`],
    ['in the query as x-api-key', '', `?x-api-key=${KEY_A}`],
  ])('%s: 401', async (_name, headers, query = '') => {
    const answer = await get(`/api/status/{id}${query}`, headers);
    expect(answer.status, answer.body).toBe(401);
  });

  it('a key on a path spelled with percent-encoded unreserved characters is checked the same', async () => {
    expect((await get('/%61pi/status/{id}')).status).toBe(401);
    expect((await get(`/api/status/${id.replaceAll('-', '%2D')}`)).status).toBe(401);
    expect((await get('/%61pi/status/{id}', `x-api-key: ${KEY_A}\r\n`)).status).toBe(200);
    expect((await get('/API/status/{id}', `x-api-key: ${KEY_A}\r\n`)).status).toBe(404);
  });
});

describe('ranges on a result file', () => {
  const file = '/api/files/{id}/original.wav';
  const key = `x-api-key: ${KEY_A}\r\n`;
  it.each([
    ['overlapping ranges', 'bytes=0-3,0-3', 200],
    ['1000 ranges', `bytes=${Array.from({ length: 1000 }, (_, i) => `${i}-${i}`).join(',')}`, 200],
    ['a range and an unsatisfiable one', 'bytes=0-3, 99999999-', 200],
    ['a leading comma', 'bytes=,0-3', 200],
    ['the unit in capitals', 'BYTES=0-3', 206],
    ['spaces around =', 'bytes = 0-3', 206],
    ['a suffix', 'bytes=-4', 206],
  ])('%s: %i', async (_name, range, status) => {
    const answer = await get(file, `${key}Range: ${range}\r\n`);
    expect(answer.status).toBe(status);
  });

  it('HEAD with a Range: 206, the length of the range, no body', async () => {
    const answer = await get(file, `${key}Range: bytes=0-3\r\n`, 'HEAD');
    expect(answer.status).toBe(206);
    expect(answer.headers).toContain('\r\ncontent-length: 4');
    expect(answer.body).toBe('');
  });

  it('If-None-Match: * is 304 (the file exists)', async () => {
    expect((await get(file, `${key}If-None-Match: *\r\n`)).status).toBe(304);
  });
});

describe('HEAD and OPTIONS on every route', () => {
  const key = `x-api-key: ${KEY_A}\r\n`;
  it.each([
    ['/health', 200],
    ['/metrics', 200],
    ['/docs/json', 200],
    ['/', 200],
    ['/api/jobs', 200],
    ['/api/status/{id}', 200],
    ['/api/results/{id}', 200],
    ['/api/jobs/{id}/events', 200],
    ['/api/jobs/{id}/variants', 200],
    ['/api/jobs/{id}/video', 200],
    ['/api/files/{id}/original.wav', 200],
    ['/api/jobs/{id}', 405],
    ['/api/jobs/{id}/cancel', 405],
    ['/api/process', 405],
  ])('HEAD %s: %i; OPTIONS: 204 with Allow', async (target, status) => {
    const head = await get(target, key, 'HEAD');
    expect(head.status).toBe(status);
    expect(head.body).toBe('');
    const options = await get(target, '', 'OPTIONS');
    expect(options.status).toBe(204);
    expect(options.headers).toMatch(/\r\nallow: [a-z, ]*options/);
  });
});

describe('JSON numbers at the edges of a double', () => {
  it.each([
    ['{"semitones":1e-400}', 0],
    ['{"semitones":-0}', 0],
    ['{"semitones":1.0}', 1],
    ['{"semitones":1e0}', 1],
  ])('%s is read as %i (IEEE rounding, not an error)', async (body, semitones) => {
    const answer = await rawRequest(
      port,
      `POST /api/jobs/${id}/variants HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-api-key: ${KEY_A}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(answer.status, answer.body).toBe(202);
    expect(JSON.parse(answer.body).params.semitones).toBe(semitones);
  });
});
