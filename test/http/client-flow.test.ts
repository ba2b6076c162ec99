/**
 * @file The whole flow through a client generated from the OpenAPI document (test/http/client/api.ts,
 * kept fresh by openapi.test.ts) on a real port, with API keys on and the real beat stage:
 * upload, poll the status, read the results, download files. If the document lies about a
 * route, this test does not compile or does not pass.
 */

import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.js';
import { ResultsView } from '../../src/http/result-schemas.js';
import { createBeatsStage } from '../../src/stages/analyze-beats.js';
import { schemaErrors } from '../helpers/schema.js';
import { startTestService, type TestService } from '../helpers/services.js';
import type { paths } from './client/api.js';

const KEY = 'client-flow-key';
const SAMPLE_RATE = 22050;
const SECONDS = 4;
const CLICK_EVERY_S = 0.5;

/** A click track at 120 bpm: a steady pulse the beat stage can find. */
function clickTrack(): Blob {
  const pcm = new Float32Array(SAMPLE_RATE * SECONDS);
  for (let t = 0; t < SECONDS; t += CLICK_EVERY_S) {
    const at = Math.round(t * SAMPLE_RATE);
    for (let i = 0; i < 200 && at + i < pcm.length; i++) pcm[at + i] = 0.8 * Math.exp(-i / 40) * Math.sin(i);
  }
  return new Blob([encodeWav({ sampleRate: SAMPLE_RATE, channels: [pcm] })], { type: 'audio/wav' });
}

let svc: TestService;
let client: ReturnType<typeof createClient<paths>>;

beforeAll(async () => {
  svc = await startTestService({ config: { apiKeys: [KEY] }, handlers: { beats: createBeatsStage() } });
  const address = await svc.app.listen({ port: 0, host: '127.0.0.1' });
  client = createClient<paths>({ baseUrl: address, headers: { 'x-api-key': KEY } });
});
afterAll(async () => {
  await svc.close();
});

describe('a generated client', () => {
  it('uploads a song, follows its job, reads its results and downloads its files', async () => {
    const accepted = await client.POST('/api/process', {
      body: { file: clickTrack(), stages: 'beats' },
      bodySerializer: (body) => {
        const form = new FormData();
        form.append('stages', body.stages ?? '');
        form.append('file', body.file, 'clicks.wav');
        return form;
      },
    });
    expect(accepted.error).toBeUndefined();
    expect(accepted.response.status).toBe(202);
    const jobId = accepted.data?.job_id ?? '';
    expect(accepted.data?.stages).toEqual(['beats']);

    let status;
    for (let i = 0; i < 1000; i++) {
      status = (await client.GET('/api/status/{job_id}', { params: { path: { job_id: jobId } } })).data;
      if (status && ['completed', 'partial', 'failed', 'cancelled'].includes(status.status)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status?.status).toBe('completed');
    expect(status?.stages.beats.status).toBe('completed');

    const results = await client.GET('/api/results/{job_id}', { params: { path: { job_id: jobId } } });
    expect(results.error).toBeUndefined();
    expect(schemaErrors(ResultsView, results.data)).toEqual([]);
    const analysis = results.data?.beat_analysis;
    if (!analysis || !('tempo_bpm' in analysis)) throw new Error('no beat analysis inline');
    expect(analysis.tempo_bpm).toBeCloseTo(120, -1);
    expect(results.data?.transcription).toBeNull();

    const original = results.data?.original;
    if (!original) throw new Error('no original file');
    const audio = await client.GET('/api/files/{job_id}/{path}', {
      params: { path: { job_id: jobId, path: original.path } },
      parseAs: 'arrayBuffer',
    });
    expect(audio.response.status).toBe(200);
    expect(audio.response.headers.get('content-type')).toBe('audio/wav');
    expect(
      Buffer.from(audio.data ?? new ArrayBuffer(0))
        .subarray(0, 4)
        .toString(),
    ).toBe('RIFF');

    // A path with a slash: the client percent-encodes it, the server takes it as one path.
    const beats = await client.GET('/api/files/{job_id}/{path}', {
      params: { path: { job_id: jobId, path: 'beat_analysis/beats.json' } },
      parseAs: 'json',
    });
    expect(beats.response.status).toBe(200);
    expect(beats.response.url).toContain('beat_analysis%2Fbeats.json');
    expect((beats.data as unknown as { beats: unknown[] }).beats.length).toBeGreaterThan(4);

    const head = await client.HEAD('/api/files/{job_id}/{path}', {
      params: { path: { job_id: jobId, path: original.path } },
    });
    expect(head.response.headers.get('content-length')).toBe(String(original.size));

    const noKey = await createClient<paths>({ baseUrl: svc.app.listeningOrigin }).GET(
      '/api/status/{job_id}',
      {
        params: { path: { job_id: jobId } },
      },
    );
    expect(noKey.response.status).toBe(401);
    expect(noKey.error?.error.code).toBe('UNAUTHORIZED');
  });
});
