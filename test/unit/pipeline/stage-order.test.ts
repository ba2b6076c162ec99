import { describe, expect, it } from 'vitest';
import { blockedStages, readyStages } from '../../../src/domain/pipeline.js';
import type { JobOptions } from '../../../src/domain/stage.js';
import { stageJob as job } from '../../helpers/stage-job.js';

describe('stage order', () => {
  it('transcription waits for requested beats (a prior), but not for beats it was not asked for', () => {
    const all: JobOptions = { stages: ['separation', 'transcription', 'beats'] };
    expect(readyStages(job(all, { separation: 'completed', beats: 'running' }))).toEqual([]);
    expect(readyStages(job(all, { separation: 'completed', beats: 'failed' }))).toEqual(['transcription']);
    const noBeats: JobOptions = { stages: ['separation', 'transcription'] };
    expect(readyStages(job(noBeats, { separation: 'completed' }))).toEqual(['transcription']);
  });

  it('a vocals upload is transcribed without separation', () => {
    const vocals: JobOptions = { stages: ['transcription'], input: 'vocals' };
    expect(readyStages(job(vocals, {}))).toEqual(['transcription']);
    expect(blockedStages(job(vocals, {}))).toEqual([]);
    const mix: JobOptions = { stages: ['separation', 'transcription'] };
    expect(blockedStages(job(mix, { separation: 'failed' }))).toEqual([
      { stage: 'transcription', dependency: 'separation' },
    ]);
  });
});
