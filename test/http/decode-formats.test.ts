import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMediaTools, type MediaTools } from '../../src/infra/ffmpeg.js';
import { tmpDir, toneWav, writeTone } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';

/**
 * Uploads decoded without ffmpeg (MP3, FLAC, Ogg Vorbis, Opus in WebAssembly), content sniffing,
 * truncation, and the bundled-ffmpeg policy.
 */
let fixtures: string;
const NO_FFMPEG: MediaTools = {
  ffmpeg: '/nonexistent/ffmpeg',
  ffprobe: '/nonexistent/ffprobe',
  bundled: false,
};

beforeAll(() => {
  fixtures = tmpDir();
  for (const name of ['song.mp3', 'song.flac', 'song.ogg', 'song.opus', 'song.m4a'])
    writeTone(fixtures, name, 3);
});
afterAll(() => fs.rmSync(fixtures, { recursive: true, force: true }));

const read = (name: string) => fs.readFileSync(path.join(fixtures, name));

function upload(svc: TestService, file: Buffer, filename: string) {
  const { payload, headers } = multipart([
    { name: 'stages', value: 'beats' },
    { name: 'file', value: file, filename },
  ]);
  return svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
}

describe('uploads decoded in WebAssembly, with no ffmpeg on the machine', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ media: NO_FFMPEG });
  });
  afterAll(() => svc.close());

  for (const name of ['song.mp3', 'song.flac', 'song.ogg', 'song.opus']) {
    it(`accepts and processes ${name}`, async () => {
      const res = await upload(svc, read(name), name);
      expect(res.statusCode).toBe(202);
      const job = await waitForJob(svc.services, res.json().job_id);
      expect(job.status).toBe('completed');
      expect(job.audio_duration).toBeCloseTo(3, 1);
    });
  }

  it('refuses a truncated MP3, FLAC and Ogg file', async () => {
    for (const name of ['song.mp3', 'song.flac', 'song.ogg']) {
      const whole = read(name);
      const res = await upload(svc, whole.subarray(0, Math.floor(whole.length / 2)), name);
      expect(res.statusCode, name).toBe(422);
      expect(res.json().error.code, name).toBe('TRUNCATED');
    }
  });

  it('accepts a WAV named .mp3 as WAV, with a warning naming the real type', async () => {
    const res = await upload(svc, toneWav(1), 'song.mp3');
    expect(res.statusCode).toBe(202);
    expect(res.json().warnings.join(' ')).toContain('named .mp3 but its content is WAV');
    const job = await waitForJob(svc.services, res.json().job_id);
    expect(job.file_ext).toBe('wav');
    expect(fs.existsSync(path.join(svc.config.storageDir, 'jobs', job.id, 'original.wav'))).toBe(true);
  });

  it('refuses an image named .mp3, naming what it is', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      Buffer.from('IHDR'),
      Buffer.alloc(200),
    ]);
    const res = await upload(svc, png, 'cover.mp3');
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toEqual({ code: 'NOT_AUDIO', message: expect.stringContaining('image/png') });
  });
});

describe('when only the bundled 2018 ffmpeg is available', () => {
  const bundled = findMediaTools([]);
  it('is the bundled build (this test needs the npm package, not a system ffmpeg)', () => {
    expect(bundled.bundled).toBe(true);
  });

  it('says so in /health, refuses M4A, and still takes MP3', async () => {
    const svc = await startTestService({ media: bundled });
    try {
      const health = await svc.app.inject({ method: 'GET', url: '/health' });
      expect(health.json().decoders.ffmpeg).toMatchObject({ bundled: true, used_for_uploads: false });
      expect(health.json().decoders.ffmpeg.note).toContain('ALLOW_BUNDLED_FFMPEG');
      const m4a = await upload(svc, read('song.m4a'), 'song.m4a');
      expect(m4a.statusCode).toBe(415);
      expect(m4a.json().error.code).toBe('DECODER_UNAVAILABLE');
      expect((await upload(svc, read('song.mp3'), 'song.mp3')).statusCode).toBe(202);
    } finally {
      await svc.close();
    }
  });

  it('decodes M4A with it when ALLOW_BUNDLED_FFMPEG=1', async () => {
    const svc = await startTestService({ media: bundled, config: { allowBundledFfmpeg: true } });
    try {
      const res = await upload(svc, read('song.m4a'), 'song.m4a');
      expect(res.statusCode).toBe(202);
      expect((await waitForJob(svc.services, res.json().job_id)).status).toBe('completed');
    } finally {
      await svc.close();
    }
  });
});
