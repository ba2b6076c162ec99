import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, finishedJob, KEY_A, keyedService } from './helpers.js';

/**
 * Audit 2, finding 5: JSON bodies that JSON.parse reads one way and a client may mean another.
 * Two equal keys took the last one (202), a BOM or a `charset=latin1` was read as UTF-8,
 * bytes that are not UTF-8 became U+FFFD, and Fastify's own codes (`ERR_CTP_INVALID_JSON_BODY`)
 * named no cause. Each is now a 400 (415 for the charset) with a code that says what is wrong,
 * and nothing reaches a prototype.
 */
let svc: TestService;
let url: string;
beforeAll(async () => {
  svc = await keyedService();
  url = `/api/jobs/${await finishedJob(svc, KEY_A)}/variants`;
});
afterAll(() => svc.close());

const post = (payload: string | Buffer, type = 'application/json') =>
  svc.app.inject({ method: 'POST', url, payload, headers: { ...auth(KEY_A), 'content-type': type } });

describe('JSON bodies with more than one reading', () => {
  it.each([
    ['a duplicate key', '{"semitones":1,"semitones":2}', 'DUPLICATE_KEY'],
    ['a duplicate key spelled with an escape', '{"tempo":1,"t\\u0065mpo":1.1}', 'DUPLICATE_KEY'],
    ['a duplicate key in a nested object', '{"a":{"b":1,"b":2}}', 'DUPLICATE_KEY'],
    ['a __proto__ key', '{"__proto__":{"polluted":1}}', 'FORBIDDEN_KEY'],
    ['a constructor.prototype key', '{"constructor":{"prototype":{"polluted":1}}}', 'FORBIDDEN_KEY'],
    ['nesting 100 000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'JSON_TOO_DEEP'],
    ['a number past a double', '{"tempo":1e400}', 'NUMBER_OUT_OF_RANGE'],
    ['a negative number past a double', '{"vocal_db":-1e999}', 'NUMBER_OUT_OF_RANGE'],
    ['a byte order mark', '\ufeff{"tempo":1}', 'INVALID_JSON'],
    ['not JSON', '{"tempo":', 'INVALID_JSON'],
  ])('%s is a 400', async (_name, body, code) => {
    const res = await post(body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe(code);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bytes that are not UTF-8 are 400 INVALID_UTF8', async () => {
    const body = Buffer.concat([Buffer.from('{"format":"wav'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_UTF8');
  });

  it('a charset other than UTF-8 is 415', async () => {
    const res = await post('{"tempo":1}', 'application/json; charset=latin1');
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_CHARSET');
  });

  it('a body of a type the route does not take is 415 UNSUPPORTED_MEDIA_TYPE (was ERR_CTP_INVALID_MEDIA_TYPE)', async () => {
    const res = await post('a=1', 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('ordinary JSON still passes: braces and keys inside strings, escapes, utf-8, charset=utf-8', async () => {
    for (const [body, type] of [
      ['{"tempo":1.1}', 'application/json; charset=UTF-8'],
      ['{ "format" : "wav" , "semitones" : -2 }', 'application/json'],
      ['{"semitones":1,"tempo":1,"vocal_db":null}', 'application/json'],
    ] as const) {
      const res = await post(body, type);
      expect(res.statusCode, `${body}: ${res.body}`).toBe(202);
    }
    // A string holding what would be a duplicate key or deep nesting is just a string: the route
    // refuses it for its value, not for its shape.
    const res = await post(`{"format":"{\\"a\\":1,\\"a\\":2}${'['.repeat(100)}"}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('an empty JSON body on a route without one is no body, not a 400', async () => {
    const res = await svc.app.inject({
      method: 'POST',
      url: url.replace('/variants', '/cancel'),
      headers: { ...auth(KEY_A), 'content-type': 'application/json' },
    });
    // The job is finished: the answer is about the job, not the empty body.
    expect(res.json().error.code).toBe('JOB_FINISHED');
  });
});
