import { describe, expect, it } from 'vitest';
import { decodeJob, encodeJob, RECORD_FIELD } from '../../src/store/redis-codec.js';
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
    expect(decodeJob(h[RECORD_FIELD], job.id)).toEqual(job);
  });

  it('keeps summary keys that would clash with record fields in the summary only', () => {
    const job = sampleJob();
    job.summary = { status: 'weird', separation_status: 'x', rev: 7, record: 'no' };
    const h = encodeJob(job, '/d');
    expect(h.status).toBe('queued');
    expect(h.separation_status).toBe('pending');
    expect(h.rev).toBeUndefined();
    expect(decodeJob(h[RECORD_FIELD], job.id)?.summary).toEqual(job.summary);
  });

  // Audit 5: a damaged record threw, and one such hash made every listing of jobs a 500 and its
  // job impossible to delete. It is now a `corrupt` job, as a bad job.json is in the file store.
  it('treats a missing record as no job and a damaged one as a corrupt job', () => {
    const id = sampleJob().id;
    expect(decodeJob(null, id)).toBeUndefined();
    expect(decodeJob(undefined, id)).toBeUndefined();
    const other = JSON.stringify(sampleJob());
    for (const record of [
      '{not json',
      '{"id":"x"}',
      'null',
      '[]',
      other,
      JSON.stringify({ ...sampleJob(), id, stages: 1 }),
    ]) {
      const problems: string[] = [];
      const job = decodeJob(record, id, (p) => problems.push(p));
      expect(job?.id, record).toBe(id);
      expect(job?.status).toBe('corrupt');
      expect(job?.error?.code).toBe('CORRUPT_RECORD');
      expect(problems).toHaveLength(1);
    }
  });
});
