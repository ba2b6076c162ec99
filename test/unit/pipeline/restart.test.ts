import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toneWav, tmpDir } from '../../helpers/audio.js';
import { fakeSeparation, hanging } from '../../helpers/fake-stages.js';
import type { StageHandler } from '../../../src/domain/stage.js';

/** Separation that never ends for jobs whose lyrics say "hang". */
function hangOnRequest(): StageHandler {
  const hang = hanging();
  const sep = fakeSeparation();
  return (ctx) => (ctx.options.lyrics === 'hang' ? hang(ctx) : sep(ctx));
}
import { multipart, startTestService, waitForJob, type TestService } from '../../helpers/services.js';

async function submit(svc: TestService, lyrics = 'la'): Promise<string> {
  const { payload, headers } = multipart([
    { name: 'lyrics', value: lyrics },
    { name: 'file', value: toneWav(1), filename: 'a.wav' },
  ]);
  const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
  expect(res.statusCode).toBe(202);
  return res.json().job_id;
}

describe('restart', () => {
  it('a process that dies mid-job loses nothing: running and queued jobs resume, finished ones are still served', async () => {
    const storageDir = tmpDir('karaoke-restart-');
    // First life: separation never ends (the process "dies" in it). One job finished before.
    const first = await startTestService({ storageDir, handlers: { separation: hangOnRequest() } });
    const done = await submit(first);
    await waitForJob(first.services, done);
    const running = await submit(first, 'hang');
    await waitForJob(first.services, running, (j) => j.stages.separation.status === 'running');
    const queued = await submit(first);
    await waitForJob(first.services, queued, (j) => j.stages.separation.status === 'queued');
    // Simulated kill -9: the first process's memory is simply abandoned; only the disk remains.
    await first.app.close();

    const second = await startTestService({ storageDir });
    try {
      for (const id of [running, queued]) {
        const job = await waitForJob(second.services, id);
        expect(job.status).toBe('completed');
        expect(job.stages.separation.status).toBe('completed');
        expect(job.stages.transcription.status).toBe('completed');
      }
      const status = await second.app.inject(`/api/status/${done}`);
      expect(status.statusCode).toBe(200);
      expect(status.json().status).toBe('completed');
      expect((await second.app.inject(`/api/results/${done}`)).json().stems.vocals.url).toContain(done);
    } finally {
      await second.close();
      fs.rmSync(storageDir, { recursive: true, force: true });
    }
  });

  it('a graceful shutdown mid-stage leaves the stage to be resumed, not cancelled', async () => {
    const storageDir = tmpDir('karaoke-restart-');
    const first = await startTestService({ storageDir, handlers: { separation: hangOnRequest() } });
    const id = await submit(first, 'hang');
    await waitForJob(first.services, id, (j) => j.stages.separation.status === 'running');
    await first.close();
    const onDisk = JSON.parse(fs.readFileSync(`${storageDir}/jobs/${id}/job.json`, 'utf8'));
    expect(onDisk.stages.separation.status).toBe('running');

    const second = await startTestService({ storageDir });
    try {
      expect((await waitForJob(second.services, id)).status).toBe('completed');
    } finally {
      await second.close();
      fs.rmSync(storageDir, { recursive: true, force: true });
    }
  });
});
