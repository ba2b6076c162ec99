import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { toneWav } from '../helpers/audio.js';
import { multipart, type TestService } from '../helpers/services.js';
import { auth, KEY_A, KEY_B, keyedService } from './helpers.js';

let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

async function codes(n: number, headers: Record<string, string>, url = '/api/jobs'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await svc!.app.inject({ url, headers })).statusCode);
  return out;
}

/** Finding 3: the limit could be reset with any X-Forwarded-For, and keyless requests were never limited. */
describe('rate limit', () => {
  it('counts requests without a key, and with wrong keys, against the client address', async () => {
    svc = await keyedService({}, { rateLimitPerMinute: 5 });
    const guesses: number[] = [];
    for (let i = 0; i < 8; i++)
      guesses.push((await svc.app.inject({ url: '/api/jobs', headers: auth(`guess-${i}`) })).statusCode);
    expect(guesses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(await codes(1, {})).toEqual([429]);
    // A valid key has its own budget, unaffected by the guesser.
    expect(await codes(5, auth(KEY_A))).toEqual([200, 200, 200, 200, 200]);
    expect(await codes(1, auth(KEY_A))).toEqual([429]);
    expect(await codes(1, auth(KEY_B))).toEqual([200]);
    expect((await svc.app.inject('/health')).statusCode).toBe(200);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says so', async () => {
    svc = await keyedService({}, { rateLimitPerMinute: 3 });
    const spoofed: number[] = [];
    for (let i = 0; i < 5; i++)
      spoofed.push(
        (await svc.app.inject({ url: '/api/jobs', headers: { 'x-forwarded-for': `203.0.113.${i}` } }))
          .statusCode,
      );
    expect(spoofed).toEqual([401, 401, 401, 429, 429]);
  });

  it('believes X-Forwarded-For from a trusted proxy (hop count or address list)', async () => {
    for (const trustProxy of [1, ['127.0.0.1']] as const) {
      svc = await keyedService({ trustProxy }, { rateLimitPerMinute: 2 });
      const from = (ip: string) => codes(3, { 'x-forwarded-for': ip });
      expect(await from('198.51.100.7')).toEqual([401, 401, 429]);
      expect(await from('198.51.100.8')).toEqual([401, 401, 429]);
      await svc.close();
      svc = undefined;
    }
  });

  it('parses TRUST_PROXY strictly', () => {
    expect(loadConfig({}).security.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).security.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).security.trustProxy).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.1/99' })).toThrow(ConfigError);
  });
});

/** Finding 4: `stages=__proto__` or `stages=constructor` → 500. */
describe('prototype-safe options', () => {
  it('answers 400 to every Object.prototype name as a stage, and to such field names', async () => {
    svc = await keyedService();
    const names = [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'isPrototypeOf',
      '__defineGetter__',
      'prototype',
      '["__proto__"]',
      'beats,__proto__',
    ];
    for (const stages of names) {
      const { payload, headers } = multipart([
        { name: 'stages', value: stages },
        { name: 'file', value: toneWav(1), filename: 'a.wav' },
      ]);
      const res = await svc.app.inject({
        method: 'POST',
        url: '/api/process',
        payload,
        headers: { ...headers, ...auth(KEY_A) },
      });
      expect(res.statusCode, stages).toBe(400);
      expect(res.json().error.code).toBe('BAD_STAGES');
    }
    for (const field of ['__proto__', 'constructor', 'hasOwnProperty']) {
      const { payload, headers } = multipart([
        { name: field, value: 'x' },
        { name: 'file', value: toneWav(1), filename: 'a.wav' },
      ]);
      const res = await svc.app.inject({
        method: 'POST',
        url: '/api/process',
        payload,
        headers: { ...headers, ...auth(KEY_A) },
      });
      // The multipart parser refuses a __proto__ field itself (400); the others are ignored fields.
      expect([202, 400], `${field} → ${res.statusCode} ${res.body}`).toContain(res.statusCode);
    }
  });
});
