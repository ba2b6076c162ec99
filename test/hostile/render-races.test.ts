import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../../src/config.js';
import { RETRY_AFTER_S } from '../../src/http/client-slots.js';
import { findMediaTools } from '../../src/infra/ffmpeg.js';
import { tmpDir } from '../helpers/audio.js';
import { startTestService, type TestService } from '../helpers/services.js';
import { finishedJob, withSecurity } from './helpers.js';

/**
 * Audit 5, finding 3: the same variant (or video) asked for twice at once. The render queue
 * renders it once, and the second request found it "active" and read its state from disk,
 * where the first request had not written it yet: 404 "no variant v-…" for a variant that was
 * being made. Every request now gets the one rendering (storage/render-queue.ts).
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

describe('the same rendering asked for at once', () => {
  it.each([
    ['variants', '{"semitones":1}', 'variant_id'],
    ['video', '{"size":"480p"}', 'video_id'],
  ])('three POST …/%s at once: all 202, one id', async (route, payload, idField) => {
    const id = await finishedJob(svc);
    const answers = await Promise.all(
      [0, 1, 2].map(() =>
        svc.app.inject({
          method: 'POST',
          url: `/api/jobs/${id}/${route}`,
          headers: { 'content-type': 'application/json' },
          payload,
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    expect(new Set(answers.map((a) => a.json()[idField] as string)).size).toBe(1);
    const list = await svc.app.inject(`/api/jobs/${id}/${route}`);
    expect(list.json()[route === 'video' ? 'videos' : 'variants']).toHaveLength(1);
  });
});

/**
 * Audit 5, finding 4: every new set of variant parameters is a new rendering (ffmpeg over the
 * whole song, one at a time), and the queue had no bound: 300 requests a minute (the rate limit)
 * queued 300 renders, for ever more. Past MAX_QUEUED_RENDERS queued or rendering, a request
 * for a new one is 503 RENDER_QUEUE_FULL with Retry-After; one already queued or done is
 * still answered. The renderer here is ffmpeg behind a gate the test opens: no timing.
 */
describe('MAX_QUEUED_RENDERS', () => {
  let gated: TestService;
  let gate: string;
  beforeAll(async () => {
    const dir = tmpDir('karaoke-gate-');
    gate = path.join(dir, 'open');
    const real = findMediaTools(testConfig().searchPath);
    const ffmpeg = path.join(dir, 'ffmpeg');
    fs.writeFileSync(
      ffmpeg,
      `#!/bin/sh\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\nexec '${real.ffmpeg}' "$@"\n`,
    );
    fs.chmodSync(ffmpeg, 0o755);
    gated = await startTestService({
      config: withSecurity({ maxQueuedRenders: 2 }),
      media: { ...real, ffmpeg },
    });
  });
  afterAll(async () => {
    fs.writeFileSync(gate, '');
    await gated.close();
  });

  const ask = (id: string, semitones: number) =>
    gated.app.inject({
      method: 'POST',
      url: `/api/jobs/${id}/variants`,
      headers: { 'content-type': 'application/json' },
      payload: { semitones },
    });

  it('a new rendering past the limit is 503 with Retry-After; queued and finished ones are answered', async () => {
    const id = await finishedJob(gated);
    expect((await ask(id, 1)).statusCode).toBe(202);
    expect((await ask(id, 2)).statusCode).toBe(202);
    const full = await ask(id, 3);
    expect(full.statusCode, full.body).toBe(503);
    expect(full.json().error.code).toBe('RENDER_QUEUE_FULL');
    expect(full.headers['retry-after']).toBe(String(RETRY_AFTER_S));
    // Asking again for one that is queued is not a new rendering.
    expect((await ask(id, 2)).statusCode).toBe(202);
    const listed = await gated.app.inject(`/api/jobs/${id}/variants`);
    expect(listed.json().variants).toHaveLength(2);
    fs.writeFileSync(gate, '');
    await vi.waitFor(
      async () => {
        const list = await gated.app.inject(`/api/jobs/${id}/variants`);
        expect(list.json().variants.map((v: { status: string }) => v.status)).toEqual([
          'completed',
          'completed',
        ]);
      },
      { timeout: 60_000, interval: 100 },
    );
    expect((await ask(id, 3)).statusCode).toBe(202);
  }, 120_000);
});
