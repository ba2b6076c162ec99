import { describe, expect, it } from 'vitest';
import { CorruptJobError, decodeJob, encodeJob } from '../../src/store/redis-codec.js';
import { sampleJob } from '../contract/job-store.contract.js';

describe('Redis hash codec', () => {
  it('writes the flat fields operators and other tools read', () => {
    const job = sampleJob({ status: 'processing', progress: 42.5, current_step: 'separation' });
    job.stages.separation = {
      ...job.stages.separation,
      status: 'completed',
      progress: 100,
      duration_s: 12.5,
      engine: { name: 'htdemucs-onnx', version: '1', quality: 'model' },
      outputs: { vocals: 'stems/vocals.wav' },
    };
    job.summary = {
      tempo_bpm: 120.2,
      beat_count: 64,
      time_signature: '4/4',
      beat_confidence: 0.9,
      language: 'en',
    };
    const h = encodeJob(job, '/data/jobs/x');
    expect(h).toMatchObject({
      status: 'processing',
      progress: '42.5',
      current_step: 'separation',
      job_dir: '/data/jobs/x',
      original_filename: 'song.mp3',
      file_size: '12345',
      audio_duration: '31.5',
      separation_status: 'completed',
      separation_progress: '100',
      separation_time: '12.5',
      separation_model: 'htdemucs-onnx',
      separation_paths: '{"vocals":"stems/vocals.wav"}',
      beats_status: 'pending',
      tempo_bpm: '120.2',
      beat_count: '64',
      time_signature: '4/4',
      beat_confidence: '0.9',
      language: 'en',
    });
    expect(Object.values(h).every((v) => typeof v === 'string')).toBe(true);
  });

  it('decodes from the authoritative fields only, so flat copies cannot corrupt a record', () => {
    const job = sampleJob();
    job.summary = { tempo_bpm: 99 };
    const h = encodeJob(job, '/d');
    h.tempo_bpm = 'garbage';
    h.separation_status = 'failed';
    expect(decodeJob(h)).toEqual(job);
  });

  it('keeps summary keys that would clash with record fields in the summary only', () => {
    const job = sampleJob();
    job.summary = { status: 'weird', separation_status: 'x', rev: 7 };
    const h = encodeJob(job, '/d');
    expect(h.status).toBe('queued');
    expect(h.separation_status).toBe('pending');
    expect(h.rev).toBeUndefined();
    expect(decodeJob(h)?.summary).toEqual(job.summary);
  });

  it('carries record keys it does not know yet', () => {
    const job = { ...sampleJob(), priority: 3, tags: ['a'] };
    const back = decodeJob(encodeJob(job, '/d')) as unknown as Record<string, unknown>;
    expect(back.priority).toBe(3);
    expect(back.tags).toEqual(['a']);
  });

  it('treats an empty hash as no job and a damaged one as an error', () => {
    expect(decodeJob({})).toBeUndefined();
    const h = encodeJob(sampleJob(), '/d');
    delete h.options;
    expect(() => decodeJob(h)).toThrow(CorruptJobError);
    const bad = encodeJob(sampleJob(), '/d');
    bad.beats_state = '{not json';
    expect(() => decodeJob(bad)).toThrow(CorruptJobError);
  });
});
