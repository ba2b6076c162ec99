import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, type TestService, uploadTempFiles } from '../helpers/services.js';

/**
 * Finding 17: the `stages` pattern backtracks quadratically on a run of spaces, and a form field
 * may be 1 MB: `stages` = 40 000 spaces and "!" held the event loop for 1.6 s, 1 MB for minutes.
 * Short fields now have a length limit that the validator checks before the pattern. A value
 * over the parser's field size was silently cut to its first megabyte; now 413.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe('long form fields are refused by their length', () => {
  it.each([
    ['stages', `${' '.repeat(100_000)}!`, 'BAD_STAGES'],
    ['language', `${' '.repeat(100_000)}!`, 'BAD_LANGUAGE'],
    ['webhook_url', `https://example.com/${'a'.repeat(5000)}`, 'BAD_WEBHOOK_URL'],
  ])('%s', async (name, value, code) => {
    const { payload, headers } = multipart([
      { name, value },
      { name: 'file', value: toneWav(1), filename: 'a.wav' },
    ]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code,
      message: expect.stringMatching(/is longer than \d+ characters$/),
    });
    expect(uploadTempFiles(svc)).toEqual([]);
  });
});

describe('an unknown form field is refused, not ignored', () => {
  it.each([['stage'], ['Stages'], ['title'], ['semitones']])('%s', async (name) => {
    const { payload, headers } = multipart([
      { name, value: 'beats' },
      { name: 'file', value: toneWav(1), filename: 'a.wav' },
    ]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('UNKNOWN_FIELD');
    expect(res.json().error.message).toContain(`"${name}"`);
    expect(uploadTempFiles(svc)).toEqual([]);
    expect((await svc.app.inject('/api/jobs')).json().jobs ?? []).toEqual([]);
  });
});

describe('a field over the size limit is refused, not cut', () => {
  it.each([['a value over 1 MB', 'lyrics', 'la '.repeat(400_000)]])('%s', async (_name, name, value) => {
    const { payload, headers } = multipart([
      { name, value },
      { name: 'file', value: toneWav(1), filename: 'a.wav' },
    ]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error.code).toBe('FIELD_TOO_LARGE');
  });
});
