import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/services.js';
import { finishedJob } from './helpers.js';

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
