import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, KEY_A, keyedJob } from './helpers.js';

/**
 * Finding 10: Fastify's default coercion turned wrongly typed JSON into a silent guess —
 * `"vocal_db": ""` was no guide vocal, `"semitones": "3"`, `true`, `null` or `[2]` a key shift,
 * `"title": 123` the title "123", `"variant": ""` the plain instrumental — and an unknown property
 * (`"semitone": 3`, a typo) was dropped, giving the default variant. Each is now a 400 naming the
 * field, and nothing is rendered. Query strings are still read as numbers (`?limit=5`).
 */
let svc: TestService;
let id: string;

beforeAll(async () => {
  ({ svc, id } = await keyedJob());
});
afterAll(() => svc.close());

const post = (path: string, payload: string) =>
  svc.app.inject({
    method: 'POST',
    url: `/api/jobs/${id}/${path}`,
    payload,
    headers: { ...auth(KEY_A), 'content-type': 'application/json' },
  });

describe('JSON bodies are checked as sent', () => {
  it.each([
    ['{"vocal_db": ""}', 'vocal_db'],
    ['{"semitones": ""}', 'semitones'],
    ['{"tempo": ""}', 'tempo'],
    ['{"semitones": "3"}', 'semitones'],
    ['{"semitones": true}', 'semitones'],
    ['{"semitones": null}', 'semitones'],
    ['{"semitones": [2]}', 'semitones'],
    ['{"tempo": "1.2"}', 'tempo'],
    ['{"vocal_db": "-6"}', 'vocal_db'],
    ['{"vocal_db": false}', 'vocal_db'],
    ['{"format": ["mp3"]}', 'format'],
    ['{"semitone": 3}', 'semitone'],
    ['{"semitones": 2, "__proto__": {"x": 1}}', ''],
  ])('variants: %s → 400', async (payload, field) => {
    const res = await post('variants', payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toContain(field);
  });

  it.each([
    ['{"variant": ""}', 'variant'],
    ['{"title": 123}', 'title'],
    ['{"title": false}', 'title'],
    ['{"artist": ["x"]}', 'artist'],
    ['{"size": 720}', 'size'],
    ['{"size": "720p", "colour": "red"}', 'colour'],
  ])('video: %s → 400', async (payload, field) => {
    const res = await post('video', payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toContain(field);
  });

  it('rendered nothing for the refused requests, and still takes well-typed ones', async () => {
    const list = async (path: string, key: string) =>
      (await svc.app.inject({ url: `/api/jobs/${id}/${path}`, headers: auth(KEY_A) })).json()[key];
    expect(await list('variants', 'variants')).toEqual([]);
    expect(await list('video', 'videos')).toEqual([]);
    const ok = await post('variants', '{"semitones": 0, "vocal_db": null, "format": "wav"}');
    expect(ok.statusCode, ok.body).toBe(202);
    expect(ok.json().params).toEqual({ semitones: 0, tempo: 1, vocal_db: null, format: 'wav' });
  });

  it('still reads query strings as numbers', async () => {
    const res = await svc.app.inject({ url: '/api/jobs?limit=5&offset=0', headers: auth(KEY_A) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ limit: 5, offset: 0 });
    const bad = await svc.app.inject({ url: '/api/jobs?limit=', headers: auth(KEY_A) });
    expect(bad.statusCode).toBe(400);
  });
});
