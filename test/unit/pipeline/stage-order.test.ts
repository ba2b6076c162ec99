import { describe, expect, it } from 'vitest';
import { blockedStages, readyStages } from '../../../src/domain/pipeline.js';
import type { JobRecord } from '../../../src/domain/job.js';
import type { JobOptions, StageName } from '../../../src/domain/stage.js';

type Status = JobRecord['stages'][StageName]['status'];

function job(options: JobOptions, status: Partial<Record<StageName, Status>>): JobRecord {
  const stage = (s: StageName) => ({
    status: status[s] ?? (options.stages.includes(s) ? 'pending' : 'skipped'),
  });
  return {
    prepared: true,
    options,
    stages: { separation: stage('separation'), transcription: stage('transcription'), beats: stage('beats') },
  } as unknown as JobRecord;
}

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
