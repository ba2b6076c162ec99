import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMono } from '../../src/audio/pcm.js';
import { trackPitch } from '../../src/audio/pitch/track.js';
import { decodeWav } from '../../src/audio/wav.js';
import { toneWav } from '../helpers/audio.js';
import { multipart, startTestService, waitForJob, type TestService } from '../helpers/services.js';

let svc: TestService;
let id: string;
const SECONDS = 2;

beforeAll(async () => {
  svc = await startTestService();
  const { payload, headers } = multipart([{ name: 'file', value: toneWav(SECONDS), filename: 'a.wav' }]);
  id = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json().job_id;
  await waitForJob(svc.services, id);
});
afterAll(() => svc.close());

async function waitVariant(url: string) {
  for (let i = 0; i < 400; i++) {
    const body = (await svc.app.inject(url)).json();
    if (body.status === 'completed' || body.status === 'failed') return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('variant did not finish');
}

function medianHz(wav: Buffer): { hz: number; seconds: number } {
  const audio = decodeWav(wav);
  const track = trackPitch(toMono(audio), audio.sampleRate);
  const voiced = Array.from(track.f0)
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  return { hz: voiced[voiced.length >> 1], seconds: audio.channels[0].length / audio.sampleRate };
}

describe('instrumental variants', () => {
  it('shifts the key and the tempo, mixes a guide vocal and re-times the words', async () => {
    const post = await svc.app.inject({
      method: 'POST',
      url: `/api/jobs/${id}/variants`,
      payload: { semitones: 2, tempo: 0.8, vocal_db: -12 },
    });
    expect(post.statusCode).toBe(202);
    const v = post.json();
    expect(v.variant_id).toMatch(/^v-[0-9a-f]{16}$/);
    expect(v.links.self).toBe(`/api/jobs/${id}/variants/${v.variant_id}`);
    expect(v.params).toEqual({ semitones: 2, tempo: 0.8, vocal_db: -12, format: 'wav' });
    const done = await waitVariant(v.links.self);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(100);
    const wav = await svc.app.inject(done.files.instrumental);
    expect(wav.statusCode).toBe(200);
    const { hz, seconds } = medianHz(wav.rawPayload);
    expect(Math.abs(1200 * Math.log2(hz / (440 * Math.pow(2, 2 / 12))))).toBeLessThan(10);
    expect(seconds).toBeCloseTo(SECONDS / 0.8, 1);
    const words = (await svc.app.inject(done.files.transcription)).json();
    expect(words.words[0].start).toBeCloseTo(0.1 / 0.8, 3);
    expect(done.files.ass).toMatch(/lyrics\.ass$/);
  });

  it('keeps the length for a key change alone, and caches per parameters', async () => {
    const a = (
      await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/variants`, payload: { semitones: -3 } })
    ).json();
    const done = await waitVariant(a.links.self);
    const { hz, seconds } = medianHz((await svc.app.inject(done.files.instrumental)).rawPayload);
    expect(Math.abs(1200 * Math.log2(hz / (440 * Math.pow(2, -3 / 12))))).toBeLessThan(10);
    expect(Math.abs(seconds - SECONDS)).toBeLessThan(0.02);
    expect(done.files.transcription).toBeUndefined();
    const again = await svc.app.inject({
      method: 'POST',
      url: `/api/jobs/${id}/variants`,
      payload: { semitones: -3, tempo: 1, format: 'wav' },
    });
    expect(again.json().variant_id).toBe(a.variant_id);
    expect(again.json().status).toBe('completed');
    const list = (await svc.app.inject(`/api/jobs/${id}/variants`)).json();
    expect(list.variants.map((x: { variant_id: string }) => x.variant_id)).toContain(a.variant_id);
    const jobDir = path.join(svc.config.storageDir, 'jobs', id, 'variants', a.variant_id);
    expect(fs.existsSync(path.join(jobDir, 'variant.json'))).toBe(true);
  });

  it('encodes other formats', async () => {
    const a = (
      await svc.app.inject({
        method: 'POST',
        url: `/api/jobs/${id}/variants`,
        payload: { format: 'flac', tempo: 1.25 },
      })
    ).json();
    const done = await waitVariant(a.links.self);
    expect(done.status).toBe('completed');
    expect(done.files.instrumental).toMatch(/\.flac$/);
    const res = await svc.app.inject(done.files.instrumental);
    expect(res.rawPayload.subarray(0, 4).toString('latin1')).toBe('fLaC');
  });

  it('keeps an explicit null guide level null and 0 dB as 0 dB (no type coercion between them)', async () => {
    const post = (payload: object) =>
      svc.app.inject({
        method: 'POST',
        url: `/api/jobs/${id}/variants`,
        payload: { semitones: 1, ...payload },
      });
    const none = (await post({ vocal_db: null })).json();
    const full = (await post({ vocal_db: 0 })).json();
    expect(none.params.vocal_db).toBeNull();
    expect(full.params.vocal_db).toBe(0);
    expect(full.variant_id).not.toBe(none.variant_id);
    await waitVariant(none.links.self);
    await waitVariant(full.links.self);
  });

  it('rejects bad parameters and unknown ids', async () => {
    for (const payload of [
      { semitones: 7 },
      { semitones: 1.5 },
      { tempo: 2 },
      { vocal_db: 3 },
      { format: 'aiff' },
    ]) {
      const res = await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/variants`, payload });
      expect(res.statusCode).toBe(400);
    }
    expect((await svc.app.inject(`/api/jobs/${id}/variants/v-0000000000000000`)).statusCode).toBe(404);
    expect((await svc.app.inject(`/api/jobs/${id}/variants/../../x`)).statusCode).toBeGreaterThanOrEqual(400);
    const other = '00000000-0000-4000-8000-000000000000';
    expect(
      (await svc.app.inject({ method: 'POST', url: `/api/jobs/${other}/variants`, payload: {} })).statusCode,
    ).toBe(404);
  });
});
