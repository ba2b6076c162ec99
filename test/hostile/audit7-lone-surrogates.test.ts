import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { KEY_A, keyedJob } from './helpers.js';

/**
 * Audit 7, row 3: a lone surrogate escape in a JSON string (`"\ud800"`) was accepted: a video
 * title of it was stored and echoed as a string that is no text (UTF-8 cannot hold it; the
 * subtitles burned in got U+FFFD), and `\ud800` and `\udbff` were two videos that look alike.
 * Raw bytes of a surrogate were already INVALID_UTF8; the escape is now refused as well.
 */
let svc: TestService;
let id: string;
beforeAll(async () => ({ svc, id } = await keyedJob()));
afterAll(() => svc.close());

function video(payload: string) {
  return svc.app.inject({
    method: 'POST',
    url: `/api/jobs/${id}/video`,
    headers: { 'x-api-key': KEY_A, 'content-type': 'application/json' },
    payload,
  });
}

describe('audit 7: lone surrogates in JSON bodies', () => {
  it('refuses one anywhere: a value, a key, high or low, nested', async () => {
    for (const body of [
      '{"title":"\\ud800"}',
      '{"title":"a\\udc00b"}',
      '{"artist":"x\\uDBFF"}',
      '{"title":"\\ude00\\ud83d"}',
      '{"\\ud800":1}',
      '{"title":"ok","size":"720p","artist":"\\udfff"}',
    ]) {
      const res = await video(body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json().error.code, body).toBe('INVALID_UNICODE');
    }
  });

  it('takes pairs, and an escaped backslash before a u', async () => {
    const pair = await video('{"title":"\\ud83d\\ude00"}');
    expect(pair.statusCode).toBe(202);
    expect(pair.json().params.title).toBe('😀');
    const literal = await video('{"title":"\\\\ud800"}');
    expect(literal.statusCode).toBe(202);
    expect(literal.json().params.title).toBe('\\ud800');
  });
});
