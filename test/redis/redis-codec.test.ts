import { describe, expect, it } from 'vitest';
import { CorruptJobError, decodeJob, encodeJob, RECORD_FIELD } from '../../src/store/redis-codec.js';
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
    job.stages.transcription.error = { code: 'ENGINE_UNAVAILABLE', message: 'no model' };
    job.summary = {
      tempo_bpm: 120.2,
      beat_count: 64,
      time_signature: '4/4',
      beat_confidence: 0.9,
      language: 'en',
    };
    const h = encodeJob(job, '/data/jobs/x');
    expect(h).toMatchObject({
      id: job.id,
      status: 'processing',
      progress: '42.5',
      current_step: 'separation',
      created_at: job.created_at,
      job_dir: '/data/jobs/x',
      original_filename: 'song.mp3',
      file_size: '12345',
      audio_duration: '31.5',
      prepared: '0',
      separation_status: 'completed',
      separation_progress: '100',
      separation_time: '12.5',
      separation_model: 'htdemucs-onnx',
      separation_paths: '{"vocals":"stems/vocals.wav"}',
      beats_status: 'pending',
      transcription_error: 'no model',
      tempo_bpm: '120.2',
      beat_count: '64',
      time_signature: '4/4',
      beat_confidence: '0.9',
      language: 'en',
    });
    expect(h.started_at).toBeUndefined();
    expect(Object.values(h).every((v) => typeof v === 'string')).toBe(true);
  });

  it('round-trips the record through its JSON field, whatever the flat copies say', () => {
    const job = { ...sampleJob(), priority: 3 };
    job.summary = { tempo_bpm: 99, nested: { a: [1, null] } };
    const h = encodeJob(job, '/d');
    h.tempo_bpm = 'garbage';
    h.status = 'failed';
    expect(decodeJob(h[RECORD_FIELD])).toEqual(job);
  });

  it('keeps summary keys that would clash with record fields in the summary only', () => {
    const job = sampleJob();
    job.summary = { status: 'weird', separation_status: 'x', rev: 7, record: 'no' };
    const h = encodeJob(job, '/d');
    expect(h.status).toBe('queued');
    expect(h.separation_status).toBe('pending');
    expect(h.rev).toBeUndefined();
    expect(decodeJob(h[RECORD_FIELD])?.summary).toEqual(job.summary);
  });

  it('treats a missing record as no job and a damaged one as an error', () => {
    expect(decodeJob(null)).toBeUndefined();
    expect(decodeJob(undefined)).toBeUndefined();
    expect(() => decodeJob('{not json', 'job:x')).toThrow(CorruptJobError);
    expect(() => decodeJob('{"id":"x"}', 'job:x')).toThrow(CorruptJobError);
    expect(() => decodeJob('null', 'job:x')).toThrow(CorruptJobError);
  });
});
