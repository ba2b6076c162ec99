import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, KEY_A, keyedService } from './helpers.js';

/**
 * Audit 3: a query number had many spellings. Ajv's coercion reads it with Number(), so
 * `?limit=0x10` listed 16 jobs, `1e1` 10, `%205` (a leading space) 5, and `?offset=-0`, `+5`,
 * `05`, `5.0` were all accepted. One rule now (src/http/query.ts, applied to every query
 * schema): plain decimal digits, or 400 VALIDATION_ERROR naming the parameter.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await keyedService({}, {});
});
afterAll(() => svc.close());

const list = (q: string) => svc.app.inject({ url: `/api/jobs?${q}`, headers: auth(KEY_A) });

describe('numbers in the query string', () => {
  it.each([
    'limit=0x10',
    'limit=1e1',
    'limit=1e3',
    'limit=%205',
    'limit=5%20',
    'limit=%095',
    'limit=+5',
    'limit=05',
    'limit=5.0',
    'limit=5abc',
    'limit=0b11',
    'limit=Infinity',
    'offset=-0',
    'offset=00',
    'offset=0x0',
    'limit=1&limit=2',
  ])('?%s is 400 VALIDATION_ERROR naming the parameter', async (q) => {
    const res = await list(q);
    expect(res.statusCode, res.body).toBe(400);
    const { code, message } = res.json().error;
    expect(code).toBe('VALIDATION_ERROR');
    expect(message).toMatch(/querystring\/(limit|offset)/);
  });

  it('plain numbers pass and are echoed as numbers', async () => {
    const res = await list('limit=5&offset=0');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ limit: 5, offset: 0 });
    expect((await list('limit=200&offset=1000000')).statusCode).toBe(200);
    expect((await list('')).json()).toMatchObject({ limit: 20, offset: 0 });
  });
});
