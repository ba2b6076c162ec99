import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import {
  multipart,
  startTestService,
  waitForJob,
  type TestService,
  uploadTempFiles,
} from '../helpers/services.js';

/**
 * Audit 4, findings 2 and 3: job options the pipeline cannot use were accepted.
 *  - `language=xx` (or `eng`, any two or three letters) was taken, and the transcription stage
 *    then failed on it (Whisper knows a fixed list). Now 400 BAD_LANGUAGE at upload.
 *  - `stages=[{"a":1}]` was refused as the unknown stage "[object object]"; `[["beats"]]` was
 *    read as beats, `[1]` as a stage named "1". Items of a JSON array must be strings.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

async function upload(fields: Record<string, string>) {
  const { payload, headers } = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    { name: 'file', value: toneWav(1), filename: 'a.wav' },
  ]);
  return svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
}

function nothingLeft(): void {
  expect(uploadTempFiles(svc)).toEqual([]);
}

describe('a language the transcriber does not know is refused', () => {
  it.each([['xx'], ['eng'], ['zz'], ['qqq'], ['EN-us']])('language=%s', async (language) => {
    const res = await upload({ language, stages: 'beats' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('BAD_LANGUAGE');
    expect(res.json().error.message).toMatch(/not a language|is not valid: A language the transcriber knows/);
    nothingLeft();
  });

  it.each([['en'], [' DE '], ['haw'], ['jw'], ['auto'], ['Auto']])(
    'language=%j is taken',
    async (language) => {
      const res = await upload({ language, stages: 'beats' });
      expect(res.statusCode, res.body).toBe(202);
      await waitForJob(svc.services, res.json().job_id as string);
    },
  );
});

describe('stages as a JSON array must hold stage names', () => {
  it.each([
    ['[{"a":1}]', 'item 1 is an object'],
    ['["beats", {"a":1}]', 'item 2 is an object'],
    ['[["beats"]]', 'item 1 is an array'],
    ['[1]', 'item 1 is a number'],
    ['[null]', 'item 1 is null'],
    ['[true]', 'item 1 is a boolean'],
    ['["beats",]', 'not valid JSON'],
  ])('stages=%s', async (stages, says) => {
    const res = await upload({ stages });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('BAD_STAGES');
    expect(res.json().error.message).toContain(says);
    expect(res.json().error.message).not.toContain('[object');
    nothingLeft();
  });

  it('["beats"] is taken', async () => {
    const res = await upload({ stages: '["beats"]' });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().stages).toEqual(['beats']);
    await waitForJob(svc.services, res.json().job_id as string);
  });
});
