import type { JobRecord } from '../domain/job.js';
import { JOB_STATUSES, newJobRecord, STAGE_STATUSES } from '../domain/job.js';
import { STAGE_NAMES } from '../domain/stage.js';

/**
 * What a stored job record must look like before the service trusts it. A record that fails
 * (hand-edited, truncated by a full disk, written by another version) is quarantined as a
 * `corrupt` job instead of stopping start-up or hiding the job directory.
 */
export function recordProblem(value: unknown, id: string): string | undefined {
  if (!isObject(value)) return 'the record is not a JSON object';
  const r = value;
  if (r.id !== id) return `the record's id (${JSON.stringify(r.id)}) is not its directory's`;
  if (!(JOB_STATUSES as readonly unknown[]).includes(r.status) || r.status === 'corrupt')
    return `unknown status ${JSON.stringify(r.status)}`;
  for (const k of ['created_at', 'updated_at', 'original_filename', 'current_step'] as const)
    if (typeof r[k] !== 'string') return `${k} is not a string`;
  for (const k of ['progress', 'file_size', 'audio_duration'] as const)
    if (typeof r[k] !== 'number' || !Number.isFinite(r[k])) return `${k} is not a number`;
  if (typeof r.file_ext !== 'string' || !/^[a-z0-9]{1,8}$/.test(r.file_ext))
    return 'file_ext is not an extension';
  if (typeof r.prepared !== 'boolean') return 'prepared is not a boolean';
  if (!isObject(r.options) || !Array.isArray(r.options.stages)) return 'options.stages is missing';
  if (!r.options.stages.every((s) => (STAGE_NAMES as readonly unknown[]).includes(s)))
    return 'options.stages names an unknown stage';
  if (!isObject(r.stages)) return 'stages is missing';
  for (const s of STAGE_NAMES) {
    const st = r.stages[s];
    if (!isObject(st)) return `stages.${s} is missing`;
    if (!(STAGE_STATUSES as readonly unknown[]).includes(st.status)) return `stages.${s}.status is unknown`;
    if (typeof st.progress !== 'number' || typeof st.attempts !== 'number')
      return `stages.${s} lacks numbers`;
    if (!isObject(st.outputs) || !Object.values(st.outputs).every((v) => typeof v === 'string'))
      return `stages.${s}.outputs is not a map of paths`;
    if (!Array.isArray(st.warnings)) return `stages.${s}.warnings is not a list`;
    const shown = shownFieldsProblem(st, STAGE_SHOWN);
    if (shown) return `stages.${s}.${shown}`;
    const e = st.engine;
    if (
      e !== undefined &&
      !(
        isObject(e) &&
        typeof e.name === 'string' &&
        typeof e.version === 'string' &&
        typeof e.quality === 'string'
      )
    )
      return `stages.${s}.engine is not an engine (name, version, quality)`;
  }
  if (!isObject(r.summary)) return 'summary is not an object';
  for (const [k, v] of Object.entries(r.summary)) {
    const want = Object.hasOwn(SUMMARY_TYPES, k) ? SUMMARY_TYPES[k] : undefined;
    if (want && v !== null && typeof v !== want) return `summary.${k} is not a ${want}`;
  }
  if (!Array.isArray(r.warnings)) return 'warnings is not a list';
  const shown = shownFieldsProblem(r, JOB_SHOWN);
  if (shown) return shown;
  if (r.owner !== undefined && typeof r.owner !== 'string') return 'owner is not a string';
  return undefined;
}

/**
 * The optional fields a status shows, by type. A record that passed the checks above with, say,
 * `error: "boom"` or a stage's `duration_s: "x"` could not be written as a status: 500 on its
 * status, and on every `GET /api/jobs` that listed it (the owner's, and the admin's).
 */
const JOB_SHOWN = {
  started_at: 'string',
  finished_at: 'string',
  webhook_url: 'string',
  error: 'error',
} as const;
const STAGE_SHOWN = {
  message: 'string',
  queued_at: 'string',
  started_at: 'string',
  finished_at: 'string',
  duration_s: 'number',
  error: 'error',
} as const;

/** The summary keys a status shows with a type (JobSummary, http/schemas.ts); the rest are free. */
const SUMMARY_TYPES: Record<string, 'string' | 'number' | undefined> = {
  separation_engine: 'string',
  separation_quality: 'string',
  stem_format: 'string',
  transcription_engine: 'string',
  language: 'string',
  word_count: 'number',
  lyrics_source: 'string',
  timing_score: 'number',
  tempo_bpm: 'number',
  beat_count: 'number',
  time_signature: 'string',
  beats_per_bar: 'number',
  beat_confidence: 'number',
  beats_source: 'string',
  meter_confidence: 'number',
  rhythm_regularity: 'number',
};

function shownFieldsProblem(
  r: Record<string, unknown>,
  fields: Record<string, 'string' | 'number' | 'error'>,
): string | undefined {
  for (const [k, type] of Object.entries(fields)) {
    const v = r[k];
    if (v === undefined || (v === null && type !== 'error')) continue;
    if (type === 'error') {
      if (!isObject(v) || typeof v.code !== 'string' || typeof v.message !== 'string')
        return `${k} is not an error (code, message)`;
    } else if (typeof v !== type || (type === 'number' && !Number.isFinite(v))) {
      return `${k} is not a ${type}`;
    }
  }
  return undefined;
}

/** The record shown for a quarantined job: status `corrupt`, the reason as its error. */
export function corruptRecord(
  id: string,
  reason: string,
  at: Date,
  hints: { fileExt?: string; owner?: unknown },
): JobRecord {
  const job = newJobRecord({
    id,
    originalFilename: '',
    fileExt: hints.fileExt ?? '',
    fileSize: 0,
    audioDuration: 0,
    options: { stages: [] },
    now: at,
  });
  job.status = 'corrupt';
  job.current_step = 'corrupt';
  job.finished_at = at.toISOString();
  job.error = {
    code: 'CORRUPT_RECORD',
    message: `the stored job record cannot be used: ${reason}; delete the job`,
  };
  // The owner can still see and delete it, if the record still says who that is.
  if (typeof hints.owner === 'string' && /^[0-9a-f]{64}$/.test(hints.owner)) job.owner = hints.owner;
  return job;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
