import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StageHandler } from '../../src/domain/stage.js';
import { toneWav } from '../helpers/audio.js';
import { BACKEND_MODES, multipart, startTestService, type TestService } from '../helpers/services.js';

/**
 * Audit 4, finding 16: a stage that cannot stop mid-run (a model inference on a worker thread
 * notices the abort only when it ends) wrote its outputs after its job was deleted or cancelled.
 * A deleted job's directory came back (`jobs/{id}/stems/vocals.wav`, no record: nothing ever
 * removed it); a cancelled job got its stage recorded as completed, outputs listed and served,
 * after the cancel had said they were removed. Now the stage runner (run-stage.ts) looks at
 * the record when an attempt ends (or, given up, when its engine ends): a job gone or cancelled
 * gets nothing recorded, and what the attempt wrote is removed; `ctx.write` refuses once the
 * attempt is stopped. Both stores.
 */
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

/**
 * A separation that ignores its abort signal and writes its stems after `ms`: one as an engine
 * writing to its own path would, one through ctx.write. `ended` settles once it has returned.
 */
function stubborn(ms: number): { handler: StageHandler; ended: Promise<void> } {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const handler: StageHandler = async (ctx) => {
    try {
      await new Promise((r) => setTimeout(r, ms));
      await fs.promises.mkdir(path.dirname(ctx.paths.stem('drums')), { recursive: true });
      await fs.promises.writeFile(ctx.paths.stem('drums'), 'RIFF');
      const vocals = await ctx.write(ctx.paths.stem('vocals'), 'RIFF');
      return {
        status: 'completed',
        engine: { name: 'stubborn', version: '1', quality: 'dsp' },
        outputs: { vocals },
      };
    } finally {
      setTimeout(end, 0);
    }
  };
  return { handler, ended };
}

async function startJob(s: TestService): Promise<string> {
  const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/process',
    payload,
    headers,
  });
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json().job_id as string;
  // Until separation runs.
  await vi.waitFor(
    async () =>
      expect((await s.app.inject(`/api/status/${id}`)).json().stages.separation.status).toBe('running'),
    { timeout: 20_000, interval: 20 },
  );
  return id;
}

describe.each(BACKEND_MODES)('a stage that ends after its job was deleted or cancelled (%s)', (mode) => {
  it('deleted: no directory comes back', async () => {
    const stage = stubborn(600);
    svc = await startTestService({ mode, handlers: { separation: stage.handler } });
    const id = await startJob(svc);
    expect((await svc.app.inject({ method: 'DELETE', url: `/api/jobs/${id}` })).statusCode).toBe(200);
    const dir = path.join(svc.config.storageDir, 'jobs', id);
    // Once the stage has ended, the directory is (still, or again) gone.
    await stage.ended;
    await vi.waitFor(() => expect(fs.existsSync(dir)).toBe(false), { timeout: 10_000, interval: 50 });
    expect((await svc.app.inject(`/api/status/${id}`)).statusCode).toBe(404);
  }, 60_000);

  it('cancelled: the stage stays cancelled, nothing of it is kept or served', async () => {
    const stage = stubborn(600);
    svc = await startTestService({ mode, handlers: { separation: stage.handler } });
    const id = await startJob(svc);
    expect((await svc.app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel` })).statusCode).toBe(200);
    await stage.ended;
    const status = (await svc.app.inject(`/api/status/${id}`)).json();
    expect(status.status).toBe('cancelled');
    expect(status.stages.separation.status).toBe('cancelled');
    expect(status.stages.separation.outputs).toEqual({});
    await vi.waitFor(
      () => expect(fs.existsSync(path.join(svc!.config.storageDir, 'jobs', id, 'stems'))).toBe(false),
      { timeout: 10_000, interval: 50 },
    );
    expect((await svc.app.inject(`/api/files/${id}/stems/vocals.wav`)).statusCode).toBe(404);
  }, 60_000);
});
