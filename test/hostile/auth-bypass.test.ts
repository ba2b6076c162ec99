import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, type TestService } from '../helpers/services.js';
import { auth, KEY_A, keyedJob } from './helpers.js';

/**
 * Finding 1: with API_KEYS set, `/%61pi/process` (and every other encoding of a path) reached
 * the handlers without a key, because the key check looked at the raw URL. Access is now decided
 * on the matched route, so every variant below must answer 401 (route matched, no key) or 404
 * (no route), never 2xx, never a job.
 */
let svc: TestService;
let id: string;

beforeAll(async () => {
  ({ svc, id } = await keyedJob());
});
afterAll(() => svc.close());

/** Every way to spell a path: each character of each static segment percent-encoded, then all. */
function encodings(path: string): string[] {
  const out = new Set<string>([path]);
  const segs = path.split('/');
  segs.forEach((seg, i) => {
    if (!seg || seg === id) return;
    for (let c = 0; c < seg.length; c++) {
      const enc = `${seg.slice(0, c)}%${seg.charCodeAt(c).toString(16).padStart(2, '0')}${seg.slice(c + 1)}`;
      out.add([...segs.slice(0, i), enc, ...segs.slice(i + 1)].join('/'));
      out.add(
        [
          ...segs.slice(0, i),
          enc.toUpperCase().replace(/%([0-9A-F]{2})/, (m) => m),
          ...segs.slice(i + 1),
        ].join('/'),
      );
    }
    const all = [...seg].map((ch) => `%${ch.charCodeAt(0).toString(16)}`).join('');
    out.add([...segs.slice(0, i), all, ...segs.slice(i + 1)].join('/'));
  });
  out.add(`${path}/`);
  out.add(path.replace('/api/', '/api//'));
  out.add(path.replace('/api/', '/./api/'));
  out.add(path.replace('/api/', '/x/../api/'));
  out.add(`${path}?api_key=${KEY_A}`);
  out.add(`${path};x=1`);
  return [...out];
}

const ROUTES = (jobId: string): [string, string][] => [
  ['GET', '/api/jobs'],
  ['GET', `/api/status/${jobId}`],
  ['GET', `/api/results/${jobId}`],
  ['GET', `/api/jobs/${jobId}/events`],
  ['GET', `/api/files/${jobId}/original.wav`],
  ['HEAD', `/api/files/${jobId}/original.wav`],
  ['GET', `/api/files/${jobId}/stems/vocals.wav`],
  ['POST', `/api/jobs/${jobId}/cancel`],
  ['DELETE', `/api/jobs/${jobId}`],
  ['POST', '/api/process'],
  ['GET', `/api/jobs/${jobId}/variants`],
  ['POST', `/api/jobs/${jobId}/variants`],
  ['GET', `/api/jobs/${jobId}/video`],
  ['POST', `/api/jobs/${jobId}/video`],
  ['GET', `/api/jobs/${jobId}/video/vid-0123456789abcdef`],
];

describe('no key reaches a job or a file by any encoding', () => {
  it('answers 401 or 404 to every encoded variant of every route without a key', async () => {
    const body = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    let tried = 0;
    const leaks: string[] = [];
    for (const [method, path] of ROUTES(id)) {
      for (const url of encodings(path)) {
        const res = await svc.app.inject({
          method: method as 'GET',
          url,
          ...(method === 'POST' && path === '/api/process' ? body : {}),
        });
        tried++;
        if (![401, 404, 400].includes(res.statusCode)) leaks.push(`${method} ${url} → ${res.statusCode}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(tried).toBeGreaterThan(300);
    // Nothing was created, cancelled or deleted.
    const list = await svc.services.backends.store.list({ limit: 100 });
    expect(list.total).toBe(1);
    expect(list.jobs[0].status).toBe('completed');
    console.info(`auth bypass gauntlet: ${tried} requests without a key, 0 got through`);
  });

  it('the same encodings with a valid key reach the route (the check is not by spelling)', async () => {
    for (const url of ['/%61pi/jobs', '/ap%69/jobs', '/%61%70%69/jobs', `/api/st%61tus/${id}`]) {
      expect((await svc.app.inject({ url, headers: auth(KEY_A) })).statusCode).toBe(200);
      expect((await svc.app.inject({ url })).statusCode).toBe(401);
    }
  });

  it('refuses wrong keys in every header form, and never reads a key from the query', async () => {
    const bad: Record<string, string>[] = [
      { 'x-api-key': `${KEY_A} ` },
      { 'x-api-key': KEY_A.toUpperCase() },
      { 'x-api-key': KEY_A.slice(0, -1) },
      { 'x-api-key': '' },
      { authorization: `Basic ${KEY_A}` },
      { authorization: `Bearer` },
      { authorization: `Bearer ${KEY_A}x` },
      { 'x-api-key': 'x'.repeat(8000) },
    ];
    for (const headers of bad) {
      expect((await svc.app.inject({ url: '/api/jobs', headers })).statusCode).toBe(401);
    }
    expect((await svc.app.inject(`/api/jobs?api_key=${KEY_A}`)).statusCode).toBe(401);
    expect(
      (await svc.app.inject({ url: '/api/jobs', headers: { authorization: `bearer ${KEY_A}` } })).statusCode,
    ).toBe(200);
  });

  it('keeps /health, /metrics, /docs and the page open by explicit choice', async () => {
    for (const url of ['/health', '/metrics', '/docs/json', '/', '/web/app.js']) {
      const res = await svc.app.inject(url);
      expect([200, 302, 404].includes(res.statusCode) && res.statusCode !== 401).toBe(true);
    }
    expect((await svc.app.inject('/health')).statusCode).toBe(200);
    expect((await svc.app.inject('/metrics')).statusCode).toBe(200);
    expect((await svc.app.inject('/docs/json')).statusCode).toBe(200);
    expect((await svc.app.inject('/')).statusCode).toBe(200);
  });
});
