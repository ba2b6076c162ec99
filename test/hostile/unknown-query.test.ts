import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService, uploadTempFiles } from '../helpers/services.js';
import { finishedJob, KEY_A, keyedService } from './helpers.js';

/**
 * Audit 4, finding 1: a query parameter a route does not take was ignored, so a typo asked for
 * something else without a word: `GET /api/jobs?limt=5` listed 20 jobs, `POST /api/process?stage=beats`
 * ran every stage. Now 400 UNKNOWN_QUERY_PARAMETER naming the parameter and what the route takes,
 * decided before any body is read. The page and /docs take free parameters (links, cache-busters).
 */
let svc: TestService;
let id: string;
beforeAll(async () => {
  svc = await startTestService();
  id = await finishedJob(svc);
});
afterAll(() => svc.close());

describe('an unknown query parameter is refused', () => {
  it.each([
    ['/api/jobs?limt=5', 'limt', 'limit, offset'],
    ['/api/jobs?limit=5&stage=beats', 'stage', 'limit, offset'],
    ['/api/jobs?limit[]=5', 'limit[]', 'limit, offset'],
    ['/api/jobs?LIMIT=5', 'LIMIT', 'limit, offset'],
    ['/health?verbose=1', 'verbose', 'no query parameters'],
    ['/api/status/{id}?stage=beats', 'stage', 'no query parameters'],
    ['/api/results/{id}?format=json', 'format', 'no query parameters'],
    ['/api/files/{id}/original.wav?download=1', 'download', 'exp, sig'],
    ['/api/jobs/{id}/events?since=3', 'since', 'exp, sig'],
  ])('GET %s', async (url, name, takes) => {
    const res = await svc.app.inject(url.replace('{id}', id));
    expect(res.statusCode, res.body).toBe(400);
    const { code, message } = res.json().error;
    expect(code).toBe('UNKNOWN_QUERY_PARAMETER');
    expect(message).toContain(`"${name}"`);
    expect(message).toContain(takes);
  });

  it.each([['/api/jobs?limt=5'], ['/api/status/{id}?x=1'], ['/api/files/{id}/original.wav?x=1']])(
    'HEAD %s too',
    async (url) => {
      const res = await svc.app.inject({ method: 'HEAD', url: url.replace('{id}', id) });
      expect(res.statusCode).toBe(400);
    },
  );

  it('on an upload, before the body is read: nothing stored, no job', async () => {
    const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
    const before = (await svc.app.inject('/api/jobs')).json().total as number;
    const res = await svc.app.inject({ method: 'POST', url: '/api/process?stage=beats', payload, headers });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('UNKNOWN_QUERY_PARAMETER');
    expect(uploadTempFiles(svc)).toEqual([]);
    expect((await svc.app.inject('/api/jobs')).json().total).toBe(before);
  });

  it.each([
    ['DELETE', '/api/jobs/{id}?force=1'],
    ['POST', '/api/jobs/{id}/cancel?now=1'],
  ])('%s %s leaves the job as it was', async (method, url) => {
    const res = await svc.app.inject({ method: method as 'DELETE', url: url.replace('{id}', id) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('UNKNOWN_QUERY_PARAMETER');
    expect((await svc.app.inject(`/api/status/${id}`)).statusCode).toBe(200);
  });

  it('a very long parameter name is not echoed in full', async () => {
    const res = await svc.app.inject(`/api/jobs?${'a'.repeat(5000)}=1`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('UNKNOWN_QUERY_PARAMETER');
    expect(res.json().error.message.length).toBeLessThan(300);
  });

  it('a name with control characters is quoted safely', async () => {
    const res = await svc.app.inject('/api/jobs?a%0d%0ab=1');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('"a\\r\\nb"');
  });
});

describe('what still passes', () => {
  it.each([['/api/jobs'], ['/api/jobs?'], ['/api/jobs?limit=5&offset=0'], ['/api/jobs?limit=5&']])(
    'GET %s',
    async (url) => {
      expect((await svc.app.inject(url)).statusCode).toBe(200);
    },
  );

  it.each([['/?utm_source=x'], ['/web/app.js?v=2'], ['/docs/json?x=1']])(
    'GET %s (the page and the docs take free parameters)',
    async (url) => {
      expect((await svc.app.inject(url)).statusCode).toBe(200);
    },
  );

  it('signed URLs keep working, and an extra parameter on one is refused', async () => {
    const keyed = await keyedService();
    try {
      const job = await finishedJob(keyed, KEY_A);
      const status = (
        await keyed.app.inject({ url: `/api/status/${job}`, headers: { 'x-api-key': KEY_A } })
      ).json();
      const file = status.original_url as string;
      expect(file).toMatch(/\?exp=\d+&sig=/);
      expect((await keyed.app.inject(file)).statusCode).toBe(200);
      expect((await keyed.app.inject(status.links.events as string)).statusCode).toBe(200);
      const extra = await keyed.app.inject(`${file}&x=1`);
      expect(extra.statusCode).toBe(400);
      expect(extra.json().error.code).toBe('UNKNOWN_QUERY_PARAMETER');
    } finally {
      await keyed.close();
    }
  });

  it('without a key, an unknown parameter is still 401 first (nothing learnt before the key)', async () => {
    const keyed = await keyedService();
    try {
      const res = await keyed.app.inject('/api/jobs?limt=5');
      expect(res.statusCode).toBe(401);
    } finally {
      await keyed.close();
    }
  });
});

describe('a known parameter given twice', () => {
  it.each([['limit=5&limit=6'], ['offset=0&offset=0'], ['limit=5&limit=5']])('?%s says so', async (q) => {
    const res = await svc.app.inject(`/api/jobs?${q}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_ERROR');
    expect(res.json().error.message).toMatch(/^querystring\/(limit|offset) is given more than once/);
  });
});

describe('a CORS preflight carries the query of the request it asks about', () => {
  it('and is answered by the CORS plugin, not refused', async () => {
    const cors = await startTestService({ workers: false, config: { corsOrigins: ['https://app.example'] } });
    try {
      const res = await cors.app.inject({
        method: 'OPTIONS',
        url: '/api/jobs?limit=5&whatever=1',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example');
    } finally {
      await cors.close();
    }
  });
});
