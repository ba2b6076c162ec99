import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import type { TestService } from '../helpers/services.js';
import { auth, KEY_A, keyedJob } from './helpers.js';

/**
 * Audit 6, finding 2: a name the client gave (a JSON key, a form field) was echoed whole and
 * unquoted in the error message: a 500 KB key came back as a 500 KB message, and a name with a
 * quote or a control character broke the message's own quoting. Query parameter names were
 * already quoted as JSON and cut at 40 characters (audit 4); every echoed name now is
 * (`quotedName`, errors.ts).
 */
let svc: TestService;
let id: string;
beforeAll(async () => {
  ({ svc, id } = await keyedJob());
});
afterAll(() => svc.close());

const LONG = 'k'.repeat(500_000);
const shown = `"${'k'.repeat(40)}…"`;

async function json(url: string, payload: string) {
  const res = await svc.app.inject({
    method: 'POST',
    url: url.replace('{id}', id),
    payload,
    headers: { ...auth(KEY_A), 'content-type': 'application/json' },
  });
  return {
    status: res.statusCode,
    length: res.body.length,
    error: res.json().error as { code: string; message: string },
  };
}

const B = 'b0undary';
async function form(parts: string[]) {
  const payload = Buffer.concat([
    ...parts.map((p) => Buffer.from(`--${B}\r\n${p}\r\n`, 'latin1')),
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`),
    toneWav(1),
    Buffer.from(`\r\n--${B}--\r\n`),
  ]);
  const res = await svc.app.inject({
    method: 'POST',
    url: '/api/process',
    payload,
    headers: { ...auth(KEY_A), 'content-type': `multipart/form-data; boundary=${B}` },
  });
  return {
    status: res.statusCode,
    length: res.body.length,
    error: res.json().error as { code: string; message: string },
  };
}

describe('a long or odd name is quoted and cut in the message', () => {
  it.each([
    ['an unknown property', '/api/jobs/{id}/variants', `{"${LONG}":1}`, 'VALIDATION_ERROR'],
    ['a duplicate key', '/api/jobs/{id}/variants', `{"${LONG}":1,"${LONG}":2}`, 'DUPLICATE_KEY'],
    ['an unknown video property', '/api/jobs/{id}/video', `{"${LONG}":null}`, 'VALIDATION_ERROR'],
  ])('JSON: %s', async (_name, url, body, code) => {
    const res = await json(url, body);
    expect(res.status).toBe(400);
    expect(res.error.code).toBe(code);
    expect(res.error.message).toContain(shown);
    expect(res.length).toBeLessThan(1000);
  });

  it.each([
    [
      'an unknown field',
      `Content-Disposition: form-data; name="${'k'.repeat(50_000)}"\r\n\r\nx`,
      'UNKNOWN_FIELD',
    ],
    [
      'a field twice',
      `Content-Disposition: form-data; name="${'k'.repeat(50_000)}"\r\n\r\nx\r\n--${B}\r\nContent-Disposition: form-data; name="${'k'.repeat(50_000)}"\r\n\r\ny`,
      'DUPLICATE_FIELD',
    ],
    [
      'a file in another field',
      `Content-Disposition: form-data; name="${'k'.repeat(50_000)}"; filename="x.txt"\r\n\r\nx`,
      'UNEXPECTED_FILE',
    ],
  ])('form: %s', async (_name, part, code) => {
    const res = await form([part]);
    expect(res.status).toBe(400);
    expect(res.error.code).toBe(code);
    expect(res.error.message).toContain(shown);
    expect(res.length).toBeLessThan(1000);
  });

  it('a quote or a control character in a name is escaped, as JSON writes it', async () => {
    const res = await form(['Content-Disposition: form-data; name="sta\\"ge\x1b"\r\n\r\nbeats']);
    expect(res.error.code).toBe('UNKNOWN_FIELD');
    expect(res.error.message).toContain('the form field "sta\\"ge\\u001b" is not known');
    const dup = await json('/api/jobs/{id}/variants', '{"a\\u0000":1,"a\\u0000":2}');
    expect(dup.error.message).toBe('the key "a\\u0000" appears twice in one object');
  });

  it('plain names read as before', async () => {
    expect((await form(['Content-Disposition: form-data; name="stage"\r\n\r\nbeats'])).error.message).toMatch(
      /^the form field "stage" is not known \(the form takes file, lyrics/,
    );
    expect((await json('/api/jobs/{id}/variants', '{"tempo":1,"tempo":2}')).error.message).toBe(
      'the key "tempo" appears twice in one object',
    );
    expect((await json('/api/jobs/{id}/variants', '{"semitone":1}')).error.message).toBe(
      'body must NOT have additional properties: "semitone" is not a known property',
    );
  });
});
