import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir, toneWav, writeTone } from '../helpers/audio.js';
import {
  multipart,
  startTestService,
  waitForJob,
  type TestService,
  uploadTempFiles,
} from '../helpers/services.js';

let svc: TestService;
let fixtures: string;

beforeAll(async () => {
  svc = await startTestService({ config: { maxFileSize: 2 * 1024 * 1024 } });
  fixtures = tmpDir();
  writeTone(fixtures, 'song.mp3', 3);
});
afterAll(async () => {
  await svc.close();
  fs.rmSync(fixtures, { recursive: true, force: true });
});

function upload(file: Buffer, filename: string, fields: Record<string, string> = {}) {
  const { payload, headers } = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    { name: 'file', value: file, filename },
  ]);
  return svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
}

function jobDirs(): string[] {
  const root = path.join(svc.config.storageDir, 'jobs');
  return fs.existsSync(root) ? fs.readdirSync(root) : [];
}

describe('POST /api/process', () => {
  it('accepts a WAV, runs every stage and serves the results', async () => {
    const res = await upload(toneWav(2), 'My Song.wav', { lyrics: 'la la\nla', language: 'en' });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.job_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.stages).toEqual(['separation', 'transcription', 'beats']);
    expect(res.headers.location).toBe(`/api/status/${body.job_id}`);

    const job = await waitForJob(svc.services, body.job_id);
    expect(job.status).toBe('completed');
    expect(job.options.lyrics).toBe('la la\nla');

    const status = (await svc.app.inject(`/api/status/${body.job_id}`)).json();
    expect(status).toMatchObject({
      job_id: body.job_id,
      status: 'completed',
      progress: 100,
      original_filename: 'My Song.wav',
      tempo_bpm: 120,
    });
    expect(status.audio_duration).toBeCloseTo(2, 1);

    const results = (await svc.app.inject(`/api/results/${body.job_id}`)).json();
    expect(Object.keys(results.stems).sort()).toEqual(['bass', 'drums', 'instrumental', 'other', 'vocals']);
    expect(results.stems.vocals.url).toBe(`/api/files/${body.job_id}/stems/vocals.wav`);
    expect(results.transcription.words[0].word).toBe('la');
    expect(results.beat_analysis.tempo_bpm).toBe(120);
    expect(results.report.stages.separation.status).toBe('completed');

    const wav = await svc.app.inject(results.stems.vocals.url);
    expect(wav.statusCode).toBe(200);
    expect(wav.headers['content-type']).toBe('audio/wav');
    expect(wav.rawPayload.subarray(0, 4).toString()).toBe('RIFF');
    // The decoded mixture is scratch data: gone once the job is assembled.
    expect(fs.existsSync(path.join(svc.config.storageDir, 'jobs', body.job_id, 'work'))).toBe(false);
  });

  it('accepts an MP3 and a subset of stages (transcription pulls in separation)', async () => {
    const res = await upload(fs.readFileSync(path.join(fixtures, 'song.mp3')), 'song.mp3', {
      stages: 'transcription',
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().stages).toEqual(['separation', 'transcription']);
    expect(res.json().warnings[0]).toContain('needs separation');
    const job = await waitForJob(svc.services, res.json().job_id);
    expect(job.status).toBe('completed');
    expect(job.stages.beats.status).toBe('skipped');
  });

  describe('rejects bad uploads and leaves nothing behind', () => {
    const cases: [string, () => Promise<Awaited<ReturnType<typeof upload>>>, number, string][] = [
      [
        'too large',
        () => upload(Buffer.concat([toneWav(1), Buffer.alloc(3 * 1024 * 1024)]), 'big.wav'),
        413,
        'FILE_TOO_LARGE',
      ],
      ['empty', () => upload(Buffer.alloc(0), 'empty.wav'), 400, 'EMPTY_FILE'],
      ['truncated WAV', () => upload(toneWav(3).subarray(0, 40_000), 'cut.wav'), 422, 'TRUNCATED'],
      [
        'text named .mp3',
        () => upload(Buffer.from('hello, this is not audio at all\n'.repeat(20)), 'notes.mp3'),
        415,
        'NOT_AUDIO',
      ],
      [
        'a header and garbage',
        () => upload(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(5000, 7)]), 'junk.mp3'),
        422,
        'UNDECODABLE',
      ],
      ['a disallowed extension', () => upload(toneWav(1), 'song.exe'), 415, 'UNSUPPORTED_EXTENSION'],
      ['an unknown stage', () => upload(toneWav(1), 'song.wav', { stages: 'karaoke' }), 400, 'BAD_STAGES'],
      [
        'a bad language code',
        () => upload(toneWav(1), 'song.wav', { language: 'english!' }),
        400,
        'BAD_LANGUAGE',
      ],
      // Refused by the route's schema, with the code the CLI gives the same mistake.
      [
        'an unknown separation engine',
        () => upload(toneWav(1), 'song.wav', { separation_engine: 'spleeter' }),
        400,
        'BAD_SEPARATION_ENGINE',
      ],
      [
        'an unknown whisper model',
        () => upload(toneWav(1), 'song.wav', { whisper_model: 'huge' }),
        400,
        'BAD_WHISPER_MODEL',
      ],
      [
        'an unknown beats source',
        () => upload(toneWav(1), 'song.wav', { beats_source: 'bass' }),
        400,
        'BAD_BEATS_SOURCE',
      ],
      [
        'drums as the beats source of a vocals stem',
        () => upload(toneWav(1), 'song.wav', { input: 'vocals', beats_source: 'drums' }),
        400,
        'BAD_BEATS_SOURCE',
      ],
      [
        'a stage list that is not a list',
        () => upload(toneWav(1), 'song.wav', { stages: 'beats;separation' }),
        400,
        'BAD_STAGES',
      ],
    ];
    for (const [name, send, status, code] of cases) {
      it(name, async () => {
        const before = jobDirs().length;
        const res = await send();
        expect(res.statusCode).toBe(status);
        expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
        expect(jobDirs().length).toBe(before);
        expect(uploadTempFiles(svc)).toEqual([]);
      });
    }

    it('a request without a file', async () => {
      const { payload, headers } = multipart([{ name: 'lyrics', value: 'x' }]);
      const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('NO_FILE');
    });

    it('names the allowed values of a closed field', async () => {
      const res = await upload(toneWav(1), 'song.wav', { separation_engine: 'spleeter' });
      expect(res.json().error.message).toBe('separation_engine must be one of auto, htdemucs, dsp');
      // The schema answers before the options parser does: its message quotes the field's description.
      const list = await upload(toneWav(1), 'song.wav', { stages: 'beats;separation' });
      expect(list.json().error.message).toMatch(/^stages is not valid: Comma-separated list/);
    });

    it('lyrics sent as a file (curl -F lyrics=@file) are refused with the way to send them', async () => {
      const { payload, headers } = multipart([
        { name: 'lyrics', value: 'la la', filename: 'lyrics.txt' },
        { name: 'file', value: toneWav(1), filename: 'song.wav' },
      ]);
      const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('UNEXPECTED_FILE');
      expect(res.json().error.message).toContain("-F 'lyrics=<file.txt'");
      expect(uploadTempFiles(svc)).toEqual([]);
    });

    it('a JSON body instead of a form', async () => {
      const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload: { file: 'x' } });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('NOT_MULTIPART');
    });
  });
});
