import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { findMediaTools } from '../../src/infra/ffmpeg.js';
import { tmpDir } from '../helpers/audio.js';
import { multipart, startTestService, type TestService } from '../helpers/services.js';

/**
 * Audit 6, finding 1: a compressed file of silence decodes to far more samples than its size
 * suggests. A 386 KB FLAC of 15 min, 8 channels at 384 kHz (2.8 billion samples) took the
 * upload's probe 120 s of a core and 11 GB of memory (one 256 KB chunk fed to the decoder came
 * back as gigabytes of float) before it was refused as "undecodable"; a shorter one was accepted
 * and the decode stage kept it all at 384 kHz. An upload now decodes to at most its longest
 * accepted duration in 7.1 at 48 kHz (`limits.ts`), else 413 `TOO_MANY_SAMPLES`; for a
 * container ffmpeg reads (M4A), as far as ffprobe's channels, rate and duration say.
 */
const MAX_DURATION_S = 30;
let svc: TestService;
let dir: string;

function silence(name: string, rate: number, layout: string, seconds: number): Buffer {
  const file = path.join(dir, name);
  const { ffmpeg } = findMediaTools(testConfig().searchPath);
  const codec = name.endsWith('.m4a')
    ? ['-c:a', 'alac', '-sample_fmt', 's16p']
    : ['-c:a', 'flac', '-sample_fmt', 's16'];
  execFileSync(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `anullsrc=r=${rate}:cl=${layout}`,
    '-t',
    String(seconds),
    ...codec,
    file,
  ]);
  return fs.readFileSync(file);
}

beforeAll(async () => {
  dir = tmpDir('karaoke-bomb-');
  svc = await startTestService({ config: { maxDurationS: MAX_DURATION_S } });
});
afterAll(async () => {
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function upload(file: Buffer, filename = 'a.flac') {
  const { payload, headers } = multipart([{ name: 'file', value: file, filename }]);
  return svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
}

function leftovers(): string[] {
  return ['tmp', 'jobs']
    .map((d) => path.join(svc.config.storageDir, d))
    .flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d) : []));
}

describe('a file that decodes to far more than its size', () => {
  it('8 channels at 384 kHz for the whole allowed duration (a few hundred KB): 413, nothing kept', async () => {
    const bomb = silence('bomb.flac', 384_000, '7.1', MAX_DURATION_S);
    expect(bomb.length).toBeLessThan(50_000);
    const res = await upload(bomb);
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error.code).toBe('TOO_MANY_SAMPLES');
    expect(res.json().error.message).toMatch(/8 channels at 384000 Hz/);
    expect(leftovers()).toEqual([]);
    expect((await svc.services.backends.store.list({ limit: 10 })).total).toBe(0);
  });

  it('the same in an M4A (ALAC, read by ffprobe and ffmpeg): 413 from what the probe reports', async () => {
    const res = await upload(silence('bomb.m4a', 384_000, '7.1', MAX_DURATION_S), 'a.m4a');
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error.code).toBe('TOO_MANY_SAMPLES');
    expect(leftovers()).toEqual([]);
  });

  it('the longest song in 7.1 at 48 kHz or stereo at 192 kHz, and 8 channels at 384 kHz for a second, are accepted', async () => {
    for (const [rate, layout, seconds] of [
      [48_000, '7.1', MAX_DURATION_S],
      [192_000, 'stereo', MAX_DURATION_S],
      [384_000, '7.1', 1],
    ] as const) {
      const res = await upload(silence(`ok-${rate}.flac`, rate, layout, seconds));
      expect(res.statusCode, `${rate} Hz ${layout}: ${res.body}`).toBe(202);
    }
  });
});
