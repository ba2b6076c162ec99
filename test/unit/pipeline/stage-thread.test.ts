import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError, CancelledError, InputError, ShutdownError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { StageThread } from '../../../src/pipeline/stage-thread.js';
import { jobPaths } from '../../../src/storage/paths.js';
import { tmpDir } from '../../helpers/audio.js';
import { stageContext } from '../../helpers/stage-context.js';

const storageDir = tmpDir('karaoke-thread-');
const thread = new StageThread(
  new URL('./fixtures/thread-stage.ts', import.meta.url),
  'createTestStage',
  silentLogger(),
);
afterAll(async () => {
  await thread.close();
  fs.rmSync(storageDir, { recursive: true, force: true });
});

function ctx(lyrics: string, signal?: AbortSignal) {
  const jobId = '6f1c7a8e-1111-4222-8333-944445555666';
  const { ctx: c, progress } = stageContext({
    stage: 'separation',
    jobId,
    paths: jobPaths(storageDir, jobId),
    options: { lyrics },
    config: { storageDir },
    signal,
    loadMix: async () => ({ sampleRate: 8000, channels: [new Float32Array(1234), new Float32Array(1234)] }),
  });
  return { c, progress };
}

describe('StageThread', () => {
  it('runs the stage on a thread with the mix from the main thread, forwarding progress', async () => {
    const { c, progress } = ctx('ok');
    const outcome = await thread.run(c);
    expect(outcome).toMatchObject({
      status: 'completed',
      outputs: { out: 'out.txt' },
      summary: { samples: 1234 },
    });
    expect(progress).toContain(50);
    expect(fs.readFileSync(`${c.paths.dir}/out.txt`, 'utf8')).toBe('1234');
  });

  it('keeps the thread (and whatever the engine cached) between runs', async () => {
    const a = await thread.run(ctx('ok').c);
    const b = await thread.run(ctx('ok').c);
    expect(Number(b.summary?.runs)).toBe(Number(a.summary?.runs) + 1);
  });

  it('brings errors back with their class, so retries behave the same', async () => {
    await expect(thread.run(ctx('bad-input').c)).rejects.toBeInstanceOf(InputError);
    await expect(thread.run(ctx('bad-input').c)).rejects.toMatchObject({
      code: 'BAD_SONG',
      message: 'this song is bad',
    });
    const crash = await thread.run(ctx('crash').c).catch((e: unknown) => e);
    expect(crash).toBeInstanceOf(Error);
    expect(crash).not.toBeInstanceOf(AppError);
    expect((crash as Error).message).toBe('engine exploded');
  });

  it('passes cancellation and shutdown into the thread', async () => {
    const cancel = new AbortController();
    const p1 = thread.run(ctx('hang', cancel.signal).c);
    setTimeout(() => cancel.abort(), 200);
    await expect(p1).rejects.toBeInstanceOf(CancelledError);
    const stop = new AbortController();
    const p2 = thread.run(ctx('hang', stop.signal).c);
    setTimeout(() => stop.abort(new ShutdownError()), 200);
    await expect(p2).rejects.toBeInstanceOf(ShutdownError);
  });

  it('survives a thread that dies: the run fails, the next one gets a new thread', async () => {
    await expect(thread.run(ctx('die').c)).rejects.toMatchObject({ code: 'STAGE_THREAD_EXIT' });
    const outcome = await thread.run(ctx('ok').c);
    expect(outcome.status).toBe('completed');
  });
});
