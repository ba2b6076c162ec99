import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { KEY_A, keyedJob } from './helpers.js';

/**
 * Audit 7, row 7: a download's Content-Disposition carried the file's name as it was. A record
 * that lists an output named outside Latin-1 or with a control character (written into Redis,
 * or a job.json edited by hand: audit 5's threat) made the head unwritable: 500
 * FST_ERR_FAILED_ERROR_SERIALIZATION, the error body not sendable either.
 */
let svc: TestService;
let id: string;
beforeAll(async () => ({ svc, id } = await keyedJob()));
afterAll(() => svc.close());

async function listed(name: string) {
  const rel = `stems/${name}`;
  fs.writeFileSync(path.join(svc.config.storageDir, 'jobs', id, rel), 'RIFF....WAVE');
  await svc.services.backends.store.update(id, (j) => {
    j.stages.separation.outputs[`x${name.length}`] = rel;
  });
  return svc.app.inject({
    url: `/api/files/${id}/stems/${encodeURIComponent(name)}`,
    headers: { 'x-api-key': KEY_A },
  });
}

describe('audit 7: download names in Content-Disposition', () => {
  it.each([
    ['日本.wav', 'inline; filename="__.wav"; filename*=UTF-8\'\'%E6%97%A5%E6%9C%AC.wav'],
    [
      'a\r\nSet-Cookie: x=1.wav',
      'inline; filename="a__Set-Cookie: x=1.wav"; filename*=UTF-8\'\'a%0D%0ASet-Cookie%3A%20x%3D1.wav',
    ],
    ['a\u0001b.wav', 'inline; filename="a_b.wav"; filename*=UTF-8\'\'a%01b.wav'],
    ['café "x".wav', 'inline; filename="caf_ _x_.wav"; filename*=UTF-8\'\'caf%C3%A9%20%22x%22.wav'],
  ])('%j: 200, an ASCII name and its UTF-8 form', async (name, disposition) => {
    const res = await listed(name);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe('RIFF....WAVE');
    expect(res.headers['content-disposition']).toBe(disposition);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('a plain name is sent as before', async () => {
    const res = await svc.app.inject({
      url: `/api/files/${id}/stems/vocals.wav`,
      headers: { 'x-api-key': KEY_A },
    });
    expect(res.headers['content-disposition']).toBe('inline; filename="vocals.wav"');
  });
});
