import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, KEY_A, keyedJob } from './helpers.js';

/**
 * Audit 2, findings 6 and 7: `?offset=1e20` (or 99999999999) was accepted and echoed back as
 * a list position; a `bytes=` Range that cannot be read (`bytes=9-2`, `bytes=abc`) was answered
 * with the whole file. Now both are refused: 400 naming the parameter, 416 with
 * `Content-Range: bytes *\/size`.
 */
let svc: TestService;
let id: string;
beforeAll(async () => {
  ({ svc, id } = await keyedJob());
});
afterAll(() => svc.close());

describe('list parameters', () => {
  it.each([
    'offset=1e20',
    'offset=99999999999',
    'offset=-1',
    'offset=1.5',
    'limit=0',
    'limit=201',
    'limit=1.5',
    'limit=abc',
    'limit=',
    'limit=5&limit=6',
    'offset=0&offset=0',
  ])('?%s is 400', async (q) => {
    const res = await svc.app.inject({ url: `/api/jobs?${q}`, headers: auth(KEY_A) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('the bounds themselves pass', async () => {
    const res = await svc.app.inject({ url: '/api/jobs?limit=200&offset=1000000', headers: auth(KEY_A) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ jobs: [], limit: 200, offset: 1_000_000 });
  });
});

describe('ranges on result files', () => {
  const get = (range: string) =>
    svc.app.inject({ url: `/api/files/${id}/original.wav`, headers: { ...auth(KEY_A), range } });

  it.each(['bytes=9-2', 'bytes=abc', 'bytes=-', 'bytes=--5', 'bytes=1-2-3', 'bytes=-0', 'bytes=99999999-'])(
    '%s is 416 with the size',
    async (range) => {
      const res = await get(range);
      expect(res.statusCode).toBe(416);
      expect(res.headers['content-range']).toMatch(/^bytes \*\/\d+$/);
      expect(res.json().error.code).toBe('RANGE_NOT_SATISFIABLE');
    },
  );

  it('another unit or several ranges get the whole file; a good range its bytes', async () => {
    expect((await get('items=0-1')).statusCode).toBe(200);
    expect((await get('bytes=0-1,4-5')).statusCode).toBe(200);
    const part = await get('bytes=0-3');
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.toString('latin1')).toBe('RIFF');
  });
});
