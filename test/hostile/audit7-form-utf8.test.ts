import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { startTestService, uploadTempFiles, type TestService } from '../helpers/services.js';

/**
 * Audit 7, row 4 (left by audit 6): form text fields whose bytes are not UTF-8 (Latin-1 lyrics,
 * a CESU surrogate, an overlong form) silently became U+FFFD: the multipart parser decoded them
 * lossily, where a JSON body with the same bytes is 400 INVALID_UTF8. Fields are now read as
 * bytes and decoded strictly, also when the part names a charset; valid UTF-8 reads as before.
 */
let svc: TestService;
beforeAll(async () => (svc = await startTestService()));
afterAll(() => svc.close());

const BOUNDARY = 'audit7utf8boundary';

function form(fields: { name: string; value: Buffer; type?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    const type = f.type ? `Content-Type: ${f.type}\r\n` : '';
    parts.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${f.name}"\r\n${type}\r\n`),
    );
    parts.push(f.value, Buffer.from('\r\n'));
  }
  parts.push(
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
    ),
    toneWav(1),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  );
  return Buffer.concat(parts);
}

function upload(fields: { name: string; value: Buffer; type?: string }[]) {
  return svc.app.inject({
    method: 'POST',
    url: '/api/process',
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: form(fields),
  });
}

describe('audit 7: form text fields are UTF-8', () => {
  it.each([
    ['Latin-1 lyrics', 'lyrics', Buffer.from('caf\xe9 au lait', 'latin1')],
    ['a lone byte 0xff in stages', 'stages', Buffer.from([0x62, 0xff, 0x65, 0x61, 0x74, 0x73])],
    ['a surrogate in CESU-8', 'lyrics', Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62])],
    ['an overlong slash', 'lyrics', Buffer.from([0x61, 0xc0, 0xaf, 0x62])],
    ['a cut sequence at the end', 'lyrics', Buffer.from([0x61, 0xe6, 0x97])],
  ])('%s: 400 INVALID_UTF8, nothing kept', async (_name, name, value) => {
    const before = (await svc.services.backends.store.list({ limit: 200, offset: 0 })).total;
    for (const type of [undefined, 'text/plain; charset=utf-8']) {
      const res = await upload([{ name, value, type }]);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('INVALID_UTF8');
      expect(res.json().error.message).toContain(`"${name}"`);
    }
    expect(uploadTempFiles(svc)).toEqual([]);
    expect((await svc.services.backends.store.list({ limit: 200, offset: 0 })).total).toBe(before);
  });

  it('reads valid UTF-8 as sent, with or without a charset on the part', async () => {
    const lyrics = 'café au lait\n日本語 😀';
    for (const type of [undefined, 'text/plain; charset=utf-8', 'text/plain']) {
      const res = await upload([{ name: 'lyrics', value: Buffer.from(lyrics), type }]);
      expect(res.statusCode, res.body).toBe(202);
      const job = await svc.services.backends.store.get(res.json().job_id as string);
      expect(job?.options.lyrics).toBe(lyrics);
    }
  });

  it('a text part without a name is said to be one (it was the field "undefined")', async () => {
    for (const count of [1, 2, 30]) {
      const payload = Buffer.concat([
        ...Array.from({ length: count }, () =>
          Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n`),
        ),
        form([]),
      ]);
      const res = await svc.app.inject({
        method: 'POST',
        url: '/api/process',
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        payload,
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('UNKNOWN_FIELD');
      expect(res.json().error.message).toContain('has no name');
    }
    expect(uploadTempFiles(svc)).toEqual([]);
  });

  it('a form whose Content-Type names another charset is 415, as a JSON body is', async () => {
    for (const [charset, status] of [
      ['latin1', 415],
      ['"iso-8859-1"', 415],
      ['utf-8', 202],
      ['UTF8', 202],
    ] as const) {
      const res = await svc.app.inject({
        method: 'POST',
        url: '/api/process',
        headers: { 'content-type': `multipart/form-data; charset=${charset}; boundary=${BOUNDARY}` },
        payload: form([{ name: 'lyrics', value: Buffer.from('la la') }]),
      });
      expect(res.statusCode, `${charset}: ${res.body}`).toBe(status);
      if (status === 415) expect(res.json().error.code).toBe('UNSUPPORTED_CHARSET');
    }
    expect(uploadTempFiles(svc)).toEqual([]);
  });
});
