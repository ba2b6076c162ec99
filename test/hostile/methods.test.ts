import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, KEY_A, keyedJob } from './helpers.js';

/**
 * Every documented path, every method (HEAD and OPTIONS included, PUT and PATCH that none
 * has): an answer under 500, that ends, and for a refusal the API's error body. Guards
 * finding 14 (HEAD on the event stream) and the 404 handler for methods a path lacks.
 */
let svc: TestService;
let id: string;
let paths: string[];

beforeAll(async () => {
  ({ svc, id } = await keyedJob());
  const doc = (await svc.app.inject('/docs/json')).json<{ paths: Record<string, unknown> }>();
  paths = Object.keys(doc.paths);
});
afterAll(() => svc.close());

const concrete = (p: string, job: string) =>
  p
    .replace('{job_id}', job)
    .replace('{variant_id}', 'v-0000000000000000')
    .replace('{video_id}', 'vid-0000000000000000')
    .replace('{path}', 'original.wav');

// DELETE last: it removes the job the other methods use.
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'] as const;

describe('every path answers every method', () => {
  it('with a status under 500, and the error body for every refusal', async () => {
    expect(paths.length).toBeGreaterThan(10);
    const bad: string[] = [];
    for (const method of METHODS) {
      for (const p of paths) {
        const url = concrete(p, id);
        const res = await svc.app.inject({
          method,
          url,
          headers: { ...auth(KEY_A), 'content-type': 'application/json' },
          ...(method === 'POST' || method === 'PUT' || method === 'PATCH' ? { payload: '{}' } : {}),
        });
        const line = `${method} ${url} → ${res.statusCode}`;
        if (res.statusCode >= 500) bad.push(line);
        if (res.statusCode >= 400 && method !== 'HEAD') {
          const body = res.json<{ error?: { code?: unknown; message?: unknown } }>();
          if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string')
            bad.push(`${line} ${res.body.slice(0, 120)}`);
          if (!String(res.headers['content-type']).startsWith('application/json'))
            bad.push(`${line} ${res.headers['content-type']}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
