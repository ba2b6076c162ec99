import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir, toneWav } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';
import { probeVideo } from '../helpers/video-job.js';
import { auth, finishedJob, KEY_A, KEY_B, keyedService } from '../hostile/helpers.js';

let svc: TestService;
let id: string;
const SECONDS = 2;
const scratch = tmpDir('karaoke-video-http-');

beforeAll(async () => {
  svc = await startTestService();
  const { payload, headers } = multipart([{ name: 'file', value: toneWav(SECONDS), filename: 'a.wav' }]);
  id = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json().job_id;
  await waitForJob(svc.services, id);
});
afterAll(async () => {
  await svc.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function waitDone(s: TestService, url: string, headers: Record<string, string> = {}) {
  for (let i = 0; i < 1200; i++) {
    const body = (await s.app.inject({ url, headers })).json();
    if (body.status === 'completed' || body.status === 'failed') return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not finish`);
}

/** Downloads a URL of the API to a file and probes it. */
async function probeUrl(s: TestService, url: string, headers: Record<string, string> = {}) {
  const res = await s.app.inject({ url, headers });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('video/mp4');
  const file = path.join(scratch, `${Math.random().toString(36).slice(2)}.mp4`);
  fs.writeFileSync(file, res.rawPayload);
  return probeVideo(file);
}

describe('POST /api/jobs/{id}/video', () => {
  it('renders an MP4 of the instrumental, served with Range support and listed in the results', async () => {
    const post = await svc.app.inject({
      method: 'POST',
      url: `/api/jobs/${id}/video`,
      payload: { size: '480p', title: 'Tone' },
    });
    expect(post.statusCode).toBe(202);
    const v = post.json();
    expect(v.video_id).toMatch(/^vid-[0-9a-f]{16}$/);
    expect(v.links.self).toBe(`/api/jobs/${id}/video/${v.video_id}`);
    expect(v.params).toEqual({ variant: null, size: '480p', title: 'Tone', artist: null });
    const done = await waitDone(svc, v.links.self);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(100);
    const info = await probeUrl(svc, done.files.video);
    expect(info.video).toMatchObject({ codec_name: 'h264', width: 854, height: 480, pix_fmt: 'yuv420p' });
    expect(info.audio?.codec_name).toBe('aac');
    expect(Math.abs(info.duration - SECONDS)).toBeLessThan(0.1);
    const part = await svc.app.inject({ url: done.files.video, headers: { range: 'bytes=0-99' } });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.length).toBe(100);
    expect(part.rawPayload.toString('latin1', 4, 8)).toBe('ftyp');
    const ass = await svc.app.inject(done.files.ass);
    expect(ass.body).toContain('PlayResY: 480');

    const results = (await svc.app.inject(`/api/results/${id}`)).json();
    expect(results.videos).toHaveLength(1);
    expect(results.videos[0]).toMatchObject({ video_id: v.video_id, params: v.params });
    expect(results.videos[0].video.path).toBe(`video/${v.video_id}/karaoke.mp4`);
    expect(results.videos[0].video.content_type).toBe('video/mp4');
    expect(results.videos[0].video.size).toBe(
      Number(part.headers['content-range']?.toString().split('/')[1]),
    );

    // The same request is the same video, already rendered.
    const again = await svc.app.inject({
      method: 'POST',
      url: `/api/jobs/${id}/video`,
      payload: { size: '480p', title: '  Tone ' },
    });
    expect(again.json()).toMatchObject({ video_id: v.video_id, status: 'completed' });
    const list = (await svc.app.inject(`/api/jobs/${id}/video`)).json();
    expect(list.videos.map((x: { video_id: string }) => x.video_id)).toEqual([v.video_id]);
  });

  it('plays a tempo variant at its own length', async () => {
    const variant = (
      await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/variants`, payload: { tempo: 0.8 } })
    ).json();
    const notYet = await svc.app.inject({
      method: 'POST',
      url: `/api/jobs/${id}/video`,
      payload: { variant: 'v-0000000000000000' },
    });
    expect(notYet.statusCode).toBe(409);
    await waitDone(svc, variant.links.self);
    const v = (
      await svc.app.inject({
        method: 'POST',
        url: `/api/jobs/${id}/video`,
        payload: { variant: variant.variant_id, size: '480p' },
      })
    ).json();
    const done = await waitDone(svc, v.links.self);
    expect(done.status).toBe('completed');
    expect(Math.abs((await probeUrl(svc, done.files.video)).duration - SECONDS / 0.8)).toBeLessThan(0.1);
    // The re-timed word (0.1 s in the song) starts at 0.125 s in the variant's ASS.
    const ass = (await svc.app.inject(done.files.ass)).body;
    expect(ass).toMatch(/\{\\k13\}\{\\kf\d+\}la/);
  });

  it('answers 400 to bad input and 404 to unknown ids', async () => {
    for (const payload of [
      { size: '4k' },
      { variant: 'x' },
      { artist: { name: 'x' } },
      { title: 'x'.repeat(201) },
    ]) {
      const res = await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/video`, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await svc.app.inject(`/api/jobs/${id}/video/vid-0000000000000000`)).statusCode).toBe(404);
    expect((await svc.app.inject(`/api/jobs/${id}/video/..%2f..%2fjob.json`)).statusCode).toBe(400);
    const other = '00000000-0000-4000-8000-000000000000';
    expect(
      (await svc.app.inject({ method: 'POST', url: `/api/jobs/${other}/video`, payload: {} })).statusCode,
    ).toBe(404);
  });
});

describe('video ownership', () => {
  let keyed: TestService;
  let idA: string;
  beforeAll(async () => {
    keyed = await keyedService();
    idA = await finishedJob(keyed, KEY_A);
  });
  afterAll(() => keyed.close());

  it('another key gets 404 on every video route of a job, and its files', async () => {
    const post = (u: string, key: string) =>
      keyed.app.inject({ method: 'POST', url: u, payload: { size: '480p' }, headers: auth(key) });
    expect((await post(`/api/jobs/${idA}/video`, KEY_B)).statusCode).toBe(404);
    const mine = await post(`/api/jobs/${idA}/video`, KEY_A);
    expect(mine.statusCode).toBe(202);
    const self = mine.json().links.self as string;
    const done = await waitDone(keyed, self, auth(KEY_A));
    expect(done.status).toBe('completed');
    for (const url of [self, `/api/jobs/${idA}/video`])
      expect((await keyed.app.inject({ url, headers: auth(KEY_B) })).statusCode, url).toBe(404);
    const rel = `video/${done.video_id}/karaoke.mp4`;
    expect(
      (await keyed.app.inject({ url: `/api/files/${idA}/${rel}`, headers: auth(KEY_B) })).statusCode,
    ).toBe(404);
    // The owner downloads it (the URL in the record is signed).
    expect((await keyed.app.inject({ url: done.files.video, headers: auth(KEY_A) })).statusCode).toBe(200);
  });
});
