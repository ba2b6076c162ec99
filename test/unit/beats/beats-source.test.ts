import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../src/audio/wav.js';
import { readyStages, waitsFor } from '../../../src/domain/pipeline.js';
import type { JobOptions } from '../../../src/domain/stage.js';
import { InputError } from '../../../src/errors.js';
import { parseJobOptions } from '../../../src/ingest/options.js';
import { createBeatsStage } from '../../../src/stages/analyze-beats.js';
import { jobPaths } from '../../../src/storage/paths.js';
import { stageContext } from '../../helpers/stage-context.js';
import { clickTrack, SR } from './signals.js';
import { stageJob as job } from '../../helpers/stage-job.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('beats_source option', () => {
  it('parses mix and drums; drums adds separation with a warning; anything else is BAD_BEATS_SOURCE', () => {
    const d = parseJobOptions({ stages: 'beats', beats_source: 'Drums' });
    expect(d.options).toEqual({ stages: ['separation', 'beats'], beatsSource: 'drums' });
    expect(d.warnings.join(' ')).toMatch(/beats_source=drums.*separation was added/);
    expect(parseJobOptions({ stages: 'beats', beats_source: 'mix' }).options).toEqual({
      stages: ['beats'],
      beatsSource: 'mix',
    });
    expect(() => parseJobOptions({ beats_source: 'bass' })).toThrow(InputError);
    let err: unknown;
    try {
      parseJobOptions({ beats_source: 'bass' }, { beats_source: '--beats-source' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({
      code: 'BAD_BEATS_SOURCE',
      message: expect.stringContaining('--beats-source'),
    });
    expect(() =>
      parseJobOptions({ stages: 'transcription,beats', input: 'vocals', beats_source: 'drums' }),
    ).toThrow(/full mix/);
  });

  it('the server default applies only when separation runs anyway', () => {
    const def = { beatsSource: 'drums' as const };
    expect(parseJobOptions({ stages: 'beats' }, {}, def).options).toEqual({ stages: ['beats'] });
    expect(parseJobOptions({}, {}, def).options.beatsSource).toBe('drums');
    expect(parseJobOptions({ beats_source: 'mix' }, {}, def).options.beatsSource).toBe('mix');
    expect(
      parseJobOptions({ input: 'vocals', stages: 'transcription,beats' }, {}, def).options.beatsSource,
    ).toBe(undefined);
  });

  it('with drums, beats wait for separation to end (in any way); with mix they start at once', () => {
    const drums: JobOptions = { stages: ['separation', 'beats'], beatsSource: 'drums' };
    expect(waitsFor('beats', drums)).toEqual(['separation']);
    expect(readyStages(job(drums, {}))).toEqual(['separation']);
    expect(readyStages(job(drums, { separation: 'running' }))).toEqual([]);
    expect(readyStages(job(drums, { separation: 'completed' }))).toEqual(['beats']);
    expect(readyStages(job(drums, { separation: 'failed' }))).toEqual(['beats']);
    const mix: JobOptions = { stages: ['separation', 'beats'] };
    expect(readyStages(job(mix, {}))).toEqual(['separation', 'beats']);
    // transcription still waits for beats, which wait for separation: no cycle.
    const all: JobOptions = { stages: ['separation', 'transcription', 'beats'], beatsSource: 'drums' };
    expect(readyStages(job(all, { separation: 'completed' }))).toEqual(['beats']);
    expect(readyStages(job(all, { separation: 'completed', beats: 'completed' }))).toEqual(['transcription']);
  });

  it('the stage tracks the drums stem when there is one, and falls back to the mix with a warning', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beats-source-'));
    dirs.push(dir);
    const paths = jobPaths(dir);
    const mix = clickTrack({ bpm: 150, seconds: 16, offset: 0.3 }).signal;
    const drums = clickTrack({ bpm: 100, seconds: 16, offset: 0.2 }).signal;
    const loadMix = async () => ({ sampleRate: SR, channels: [mix, mix] });
    const run = async () => {
      const { ctx } = stageContext({ stage: 'beats', paths, options: { beatsSource: 'drums' }, loadMix });
      const out = await createBeatsStage()(ctx);
      const analysis = JSON.parse(fs.readFileSync(path.join(dir, out.outputs.analysis), 'utf8'));
      return { out, analysis };
    };
    const fallback = await run();
    expect(fallback.analysis.source).toBe('mix');
    expect(fallback.analysis.tempo_bpm).toBeCloseTo(150, 0);
    expect(fallback.out.summary?.beats_source).toBe('mix');
    expect(fallback.out.warnings?.join(' ')).toMatch(/no drums stem/);

    fs.mkdirSync(path.dirname(paths.stem('drums')), { recursive: true });
    fs.writeFileSync(paths.stem('drums'), encodeWav({ sampleRate: SR, channels: [drums, drums] }));
    // The bass stem is added to the drums (the rhythm section), here a quieter part on the same beat.
    const bass = clickTrack({ bpm: 100, seconds: 16, offset: 0.2 }).signal.map((v) => 0.5 * v);
    fs.writeFileSync(paths.stem('bass'), encodeWav({ sampleRate: SR, channels: [bass, bass] }));
    const onDrums = await run();
    expect(onDrums.analysis.source).toBe('drums');
    expect(onDrums.analysis.tempo_bpm).toBeCloseTo(100, 0);
    expect(onDrums.out.summary?.beats_source).toBe('drums');
    const beats = JSON.parse(fs.readFileSync(path.join(dir, onDrums.out.outputs.beats), 'utf8'));
    expect(beats.beats[0].time).toBeCloseTo(0.2, 1);
  });
});
