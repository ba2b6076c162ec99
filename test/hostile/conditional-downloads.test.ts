import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/services.js';
import { auth, finishedJob, KEY_A, keyedService } from './helpers.js';
import { listen, rawRequest } from './raw-http.js';

/**
 * Audit 3: `If-Range` was ignored. A client resuming a download with the validator of an older
 * copy (`If-Range: "old"` or an old date) got 206 and bytes of the current file, and stitched
 * two files into one. Downloads now carry a strong ETag and Last-Modified (conditional.ts); a
 * Range is used only when If-Range names the current file, else the whole file is sent (200);
 * If-None-Match / If-Modified-Since with the current validators is 304 with no body.
 */
let svc: TestService;
let url: string;
beforeAll(async () => {
  svc = await keyedService();
  url = `/api/files/${await finishedJob(svc, KEY_A)}/original.wav`;
});
afterAll(() => svc.close());

const get = (headers: Record<string, string>) =>
  svc.app.inject({ url, headers: { ...auth(KEY_A), ...headers } });

describe('conditional downloads', () => {
  it('answers carry a strong ETag and Last-Modified', async () => {
    const res = await get({});
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(Date.parse(String(res.headers['last-modified']))).toBeGreaterThan(0);
  });

  it.each(['"stale"', 'W/"x"', '*', 'Thu, 01 Jan 1970 00:00:00 GMT', 'not a date'])(
    'If-Range: %s that does not name the file: the whole file, 200',
    async (ifRange) => {
      const res = await get({ range: 'bytes=0-3', 'if-range': ifRange });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-range']).toBeUndefined();
      expect(res.rawPayload.length).toBe(Number(res.headers['content-length']));
      expect(res.rawPayload.length).toBeGreaterThan(4);
    },
  );

  it('If-Range with the current ETag or date: the range, 206; a weak form of it: 200', async () => {
    const { etag, 'last-modified': lastModified } = (await get({})).headers;
    for (const ifRange of [String(etag), String(lastModified)]) {
      const res = await get({ range: 'bytes=0-3', 'if-range': ifRange });
      expect(res.statusCode, ifRange).toBe(206);
      expect(res.rawPayload.toString('latin1')).toBe('RIFF');
    }
    expect((await get({ range: 'bytes=0-3', 'if-range': `W/${etag}` })).statusCode).toBe(200);
    // A stale If-Range turns even a bad range into the whole file (the range is not used at all).
    expect((await get({ range: 'bytes=9-2', 'if-range': '"stale"' })).statusCode).toBe(200);
  });

  it('If-None-Match / If-Modified-Since of the current file: 304 with no body; else 200', async () => {
    const { etag, 'last-modified': lastModified } = (await get({})).headers;
    const current: Record<string, string>[] = [
      { 'if-none-match': String(etag) },
      { 'if-none-match': `"a", W/${etag}` },
      { 'if-none-match': '*' },
      { 'if-modified-since': String(lastModified) },
    ];
    for (const h of current) {
      const res = await get(h);
      expect(res.statusCode, JSON.stringify(h)).toBe(304);
      expect(res.rawPayload.length).toBe(0);
    }
    expect((await get({ 'if-none-match': '"other"' })).statusCode).toBe(200);
    expect((await get({ 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).statusCode).toBe(200);
    const both = { 'if-none-match': '"other"', 'if-modified-since': String(lastModified) };
    expect((await get(both)).statusCode).toBe(200);
  });

  it('a changed file gets a new ETag, so an old If-Range no longer matches', async () => {
    const before = String((await get({})).headers.etag);
    const file = path.join(svc.config.storageDir, 'jobs', url.split('/')[3]!, 'original.wav');
    const later = new Date(Date.now() + 5000);
    await fs.utimes(file, later, later);
    expect(String((await get({})).headers.etag)).not.toBe(before);
    expect((await get({ range: 'bytes=0-3', 'if-range': before })).statusCode).toBe(200);
  });

  it('a 304 on the wire has no body and no Content-Length of a body', async () => {
    const etag = String((await get({})).headers.etag);
    const port = await listen(svc);
    const answer = await rawRequest(
      port,
      `GET ${url} HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY_A}\r\nIf-None-Match: ${etag}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.headers).toMatch(/^http\/1\.1 304/);
    expect(answer.body).toBe('');
  });
});
