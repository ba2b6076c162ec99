import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../helpers/services.js';
import { finishedJob } from './helpers.js';

/**
 * Audit 4, finding 13: a video's title and artist were kept with NUL, ESC, BEL and bidirectional
 * controls (`a\u0000b\u202ec\u001b[31m` was stored, echoed in every view and burned into the
 * picture), and two spellings of one text (NFD and NFC "café") made two videos. They now follow
 * the rule upload file names follow (domain/display-text.ts): NFC, those characters removed.
 */
let svc: TestService;
let id: string;
beforeAll(async () => {
  svc = await startTestService();
  id = await finishedJob(svc);
});
afterAll(() => svc.close());

async function video(body: Record<string, unknown>) {
  const res = await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/video`, payload: body });
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { video_id: string; params: { title: string | null; artist: string | null } };
}

describe('video title and artist', () => {
  it.each([
    ['NUL', 'a\u0000b', 'ab'],
    ['ESC sequence', 'x\u001b[31my', 'x[31my'],
    ['BEL, DEL and C1', 'a\u0007b\u007fc\u0085d', 'abcd'],
    ['right-to-left override', 'song\u202egpj', 'songgpj'],
    ['isolates and marks', '\u2066a\u2069\u200eb\u061c', 'ab'],
  ])('%s is removed', async (_name, title, kept) => {
    const v = await video({ title, artist: title });
    expect(v.params.title).toBe(kept);
    expect(v.params.artist).toBe(kept);
  });

  it('NFD and NFC spellings are one video', async () => {
    const nfd = await video({ title: 'cafe\u0301' });
    const nfc = await video({ title: 'caf\u00e9' });
    expect(nfd.params.title).toBe('caf\u00e9');
    expect(nfd.video_id).toBe(nfc.video_id);
  });

  it('a title of control characters only is no title', async () => {
    expect((await video({ title: '\u0000\u0001\u202e' })).params.title).toBeNull();
  });
});
