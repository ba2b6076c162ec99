import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError, UnavailableError } from '../../src/errors.js';
import type { StageHandlers } from '../../src/domain/stage.js';
import { toneWav } from '../helpers/audio.js';
import { fakeBeats, fakeSeparation, flaky, hanging } from '../helpers/fake-stages.js';
import {
  type BackendMode,
  multipart,
  startTestService as startService,
  waitForJob,
  type TestService,
} from '../helpers/services.js';

/**
 * The pipeline's behaviour, seen through the API: retries, partial results, unavailable
 * engines, the job timeout, a burst of uploads. Run against every backend (pipeline.test.ts).
 */
export function pipelineContract(mode: BackendMode): void {
  let svc: TestService | undefined;
  const startTestService = (opts: Parameters<typeof startService>[0] = {}) => startService({ ...opts, mode });
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
  });

  async function run(handlers: Partial<StageHandlers>, fields: Record<string, string> = {}, config = {}) {
    svc = await startTestService({ handlers, config });
    const { payload, headers } = multipart([
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      { name: 'file', value: toneWav(1), filename: 'a.wav' },
    ]);
    const res = await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
    expect(res.statusCode).toBe(202);
    return waitForJob(svc.services, res.json().job_id);
  }

  describe(`pipeline (${mode})`, () => {
    it('retries a transient failure, then succeeds', async () => {
      const sep = flaky(1, fakeSeparation());
      const job = await run({ separation: sep });
      expect(job.status).toBe('completed');
      expect(sep.calls).toBe(2);
      expect(job.stages.separation.attempts).toBe(2);
      expect(job.stages.separation.error).toBeUndefined();
    });

    it('gives up after the policy attempts: the stage fails, its dependant is skipped, the job is partial', async () => {
      const sep = flaky(10, fakeSeparation());
      const job = await run({ separation: sep });
      expect(sep.calls).toBe(2);
      expect(job.status).toBe('partial');
      expect(job.stages.separation).toMatchObject({
        status: 'failed',
        error: { code: 'STAGE_ERROR', message: 'transient failure 2' },
      });
      expect(job.stages.transcription).toMatchObject({
        status: 'skipped',
        error: { code: 'DEPENDENCY_FAILED' },
      });
      expect(job.stages.beats.status).toBe('completed');
      expect(job.summary.tempo_bpm).toBe(120);
    });

    it('does not retry bad input', async () => {
      let calls = 0;
      const job = await run({
        beats: async () => {
          calls++;
          throw new InputError('TOO_SHORT', 'the song is too short to find a beat');
        },
      });
      expect(calls).toBe(1);
      expect(job.status).toBe('partial');
      expect(job.stages.beats).toMatchObject({
        status: 'failed',
        error: { code: 'TOO_SHORT', message: 'the song is too short to find a beat' },
      });
    });

    it('records an unavailable engine with its reason, returned or thrown', async () => {
      const job = await run({
        transcription: async () => ({
          status: 'unavailable',
          outputs: {},
          reason: 'Whisper model not downloaded (OFFLINE=1)',
        }),
        beats: async () => {
          throw new UnavailableError('no beat engine');
        },
      });
      expect(job.status).toBe('partial');
      expect(job.stages.transcription).toMatchObject({
        status: 'unavailable',
        error: { message: 'Whisper model not downloaded (OFFLINE=1)' },
      });
      expect(job.stages.beats).toMatchObject({
        status: 'unavailable',
        error: { code: 'ENGINE_UNAVAILABLE', message: 'no beat engine' },
      });
      expect(job.stages.separation.status).toBe('completed');
    });

    it('beats_source=drums: separation is added and beats start only once the drums stem is there', async () => {
      const seen: boolean[] = [];
      const beats = fakeBeats();
      const job = await run(
        {
          separation: fakeSeparation(),
          beats: async (ctx) => {
            seen.push(fs.existsSync(ctx.paths.stem('drums')) && ctx.options.beatsSource === 'drums');
            return beats(ctx);
          },
        },
        { stages: 'beats', beats_source: 'drums' },
      );
      expect(job.status).toBe('completed');
      expect(job.options.stages).toEqual(['separation', 'beats']);
      expect(job.warnings.join(' ')).toMatch(/separation was added/);
      expect(seen).toEqual([true]);
      expect(Date.parse(job.stages.beats.started_at ?? '')).toBeGreaterThanOrEqual(
        Date.parse(job.stages.separation.finished_at ?? ''),
      );
    });

    it('fails the job when no stage produces anything', async () => {
      const job = await run(
        { separation: flaky(9, fakeSeparation()), beats: flaky(9, fakeBeats()) },
        { stages: 'separation,beats' },
      );
      expect(job.status).toBe('failed');
      expect(job.error?.code).toBe('ALL_STAGES_FAILED');
    });

    it('enforces JOB_TIMEOUT on a stage that never ends', async () => {
      const job = await run({ separation: hanging() }, {}, { jobTimeoutS: 4 });
      expect(job.stages.separation).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
      expect(job.status).toBe('partial');
    });

    it('keeps internal details out of stage errors', async () => {
      svc = await startTestService({
        handlers: {
          beats: async (ctx) => {
            throw new Error(`ENOENT: no such file ${ctx.paths.dir}/x`);
          },
        },
      });
      const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
      const id = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json()
        .job_id;
      const job = await waitForJob(svc.services, id);
      expect(job.stages.beats.error?.message).not.toContain(svc.config.storageDir);
    });

    it('progress is monotonic and ends at 100', async () => {
      svc = await startTestService();
      const seen: number[] = [];
      const { payload, headers } = multipart([{ name: 'file', value: toneWav(1), filename: 'a.wav' }]);
      const id = (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json()
        .job_id;
      const unsubscribe = svc.services.backends.store.subscribe(id, (j) => seen.push(j.progress));
      await waitForJob(svc.services, id);
      unsubscribe();
      expect(seen.at(-1)).toBe(100);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    });
  });

  describe(`what clients see (${mode})`, () => {
    it('server paths in warnings and reasons are replaced', async () => {
      const job = await run(
        {
          transcription: async (ctx) => ({
            status: 'unavailable',
            outputs: {},
            reason: `no model in ${ctx.config.modelsDir}`,
          }),
          beats: async (ctx) => ({
            status: 'completed',
            outputs: {},
            warnings: [`scratch at ${ctx.paths.dir}`],
          }),
        },
        {},
        { modelsDir: '/srv/secret-models' },
      );
      expect(job.stages.transcription.error?.message).toBe('no model in <models>');
      expect(job.stages.beats.warnings[0]).toMatch(/^scratch at <storage>\/jobs\//);
    });
  });

  describe(`a burst of uploads (${mode})`, () => {
    it('completes every job, each stage once, with more jobs queued than decoded mixes kept', async () => {
      svc = await startTestService();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const { payload, headers } = multipart([
          { name: 'file', value: toneWav(1 + i / 10), filename: `s${i}.wav` },
        ]);
        ids.push(
          (await svc.app.inject({ method: 'POST', url: '/api/process', payload, headers })).json().job_id,
        );
      }
      for (const [i, id] of ids.entries()) {
        const job = await waitForJob(svc.services, id, undefined, 60_000);
        expect(job.status).toBe('completed');
        expect(job.stages.separation.attempts).toBe(1);
        expect(job.audio_duration).toBeCloseTo(1 + i / 10, 2);
      }
    });
  });
}
