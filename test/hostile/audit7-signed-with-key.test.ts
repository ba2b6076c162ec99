import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, finishedJob, KEY_A, KEY_B, keyedService } from './helpers.js';

/**
 * Audit 7, row 2 (left by audit 6): a signed URL sent with a valid key of another owner was 404,
 * where the same URL with no key, or with a key that is not valid, was 200. A signature is the
 * right to its one resource whoever holds it; a key can only add to it.
 */
let svc: TestService;
let id: string;
let stem: string;
let events: string;

beforeAll(async () => {
  svc = await keyedService();
  id = await finishedJob(svc, KEY_A);
  const results = (await svc.app.inject({ url: `/api/results/${id}`, headers: auth(KEY_A) })).json();
  stem = results.stems.vocals.url as string;
  events = (await svc.app.inject({ url: `/api/status/${id}`, headers: auth(KEY_A) })).json().links
    .events as string;
});
afterAll(() => svc.close());

describe('audit 7: a signed URL with another owner key', () => {
  it('is answered as the URL alone is, for a file and for the event stream', async () => {
    for (const headers of [{}, auth('not-a-key-0123456789'), auth(KEY_A), auth(KEY_B)]) {
      const file = await svc.app.inject({ url: stem, headers });
      expect(file.statusCode, JSON.stringify(headers)).toBe(200);
      const head = await svc.app.inject({ method: 'HEAD', url: stem, headers });
      expect(head.statusCode).toBe(200);
      const stream = await svc.app.inject({ url: events, headers });
      expect(stream.statusCode).toBe(200);
      expect(stream.body).toContain('event: end');
    }
  });

  it('gives no more than the URL: other files, other routes and a bad signature are the key’s', async () => {
    const other = stem.replace('vocals.wav', 'drums.wav');
    expect((await svc.app.inject({ url: other, headers: auth(KEY_B) })).statusCode).toBe(404);
    expect((await svc.app.inject({ url: other, headers: auth(KEY_A) })).statusCode).toBe(200);
    const tampered = stem.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect((await svc.app.inject({ url: tampered, headers: auth(KEY_B) })).statusCode).toBe(404);
    expect((await svc.app.inject({ url: tampered, headers: auth(KEY_A) })).statusCode).toBe(200);
    expect((await svc.app.inject(tampered)).statusCode).toBe(401);
    const [, query] = stem.split('?');
    const status = await svc.app.inject({ url: `/api/status/${id}?${query}`, headers: auth(KEY_B) });
    expect(status.statusCode).not.toBe(200);
  });
});
