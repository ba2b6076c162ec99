import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, KEY_A, keyedJob, keyedService } from './helpers.js';

/**
 * Audit 2, finding 1: a known path with a method it lacks answered 404 "no route", as if the
 * path did not exist; OPTIONS did the same. Now 405 with `Allow` (the error body as everywhere),
 * OPTIONS 204 with `Allow`, and an unknown path still 404 in the error body.
 */
let svc: TestService;
let id: string;
beforeAll(async () => {
  ({ svc, id } = await keyedJob());
});
afterAll(() => svc.close());

describe('a wrong method on a known path', () => {
  it.each([
    ['PUT', () => `/api/status/${id}`, 'GET, HEAD, OPTIONS'],
    ['POST', () => '/health', 'GET, HEAD, OPTIONS'],
    ['GET', () => '/api/process', 'OPTIONS, POST'],
    ['PATCH', () => `/api/jobs/${id}`, 'DELETE, OPTIONS'],
    ['DELETE', () => `/api/files/${id}/stems/vocals.wav`, 'GET, HEAD, OPTIONS'],
  ])('%s %s is 405 with Allow: %s', async (method, url, allow) => {
    // A JSON content type with no body: the answer comes before any body is read.
    const res = await svc.app.inject({
      method: method as 'PUT',
      url: url(),
      headers: { ...auth(KEY_A), 'content-type': 'application/json' },
    });
    expect(res.statusCode, res.body).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.json().error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('HEAD on a POST-only path is 405 without a body', async () => {
    const res = await svc.app.inject({ method: 'HEAD', url: '/api/process' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('OPTIONS, POST');
    expect(res.body).toBe('');
  });

  it('OPTIONS on a known path is 204 with Allow, also without a key', async () => {
    const res = await svc.app.inject({ method: 'OPTIONS', url: `/api/jobs/${id}/events` });
    expect(res.statusCode).toBe(204);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('an unknown path is 404 in the error body, whatever the method', async () => {
    for (const method of ['GET', 'PUT', 'OPTIONS'] as const) {
      const res = await svc.app.inject({ method, url: '/api/nothing-here' });
      expect(res.statusCode).toBe(404);
      expect(res.headers.allow).toBeUndefined();
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
  });
});

describe('with CORS on', () => {
  let cors: TestService;
  beforeAll(async () => {
    cors = await keyedService({}, { corsOrigins: ['https://ok.example'] });
  });
  afterAll(() => cors.close());

  it('an OPTIONS that is not a preflight gets 204 + Allow (was a plain-text 400), a preflight the CORS answer', async () => {
    const plain = await cors.app.inject({ method: 'OPTIONS', url: '/health' });
    expect(plain.statusCode).toBe(204);
    expect(plain.headers.allow).toBe('GET, HEAD, OPTIONS');
    const unknown = await cors.app.inject({ method: 'OPTIONS', url: '/api/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    const preflight = await cors.app.inject({
      method: 'OPTIONS',
      url: '/health',
      headers: { origin: 'https://ok.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://ok.example');
  });

  it('the CORS route makes no path known: an unknown path is still 404, a known one 405', async () => {
    expect((await cors.app.inject({ method: 'GET', url: '/api/nothing-here' })).statusCode).toBe(404);
    expect((await cors.app.inject({ method: 'PUT', url: '/health' })).statusCode).toBe(405);
  });
});
