import type { JobRecord, StageState } from '../domain/job.js';
import type { JsonValue, StageName } from '../domain/stage.js';
import { STAGE_NAMES } from '../domain/stage.js';

/**
 * JobRecord ⇄ the fields of the Redis hash `job:{id}`.
 *
 * The hash is meant to be read by people and other tools too (`HGETALL job:…`), so scalars are
 * stored as plain strings (status, progress, created_at, …) and each stage has the flat fields
 * of the seed design: `{stage}_status`, `{stage}_progress`, `{stage}_paths`, `{stage}_time`,
 * `{stage}_model`; the scalar results (tempo_bpm, beat_count, time_signature, language, …) are
 * copied to fields of their own. Those flat copies are views: decoding reads only the
 * authoritative fields (the scalars, `options`, `summary`, `warnings`, `error`, and the full
 * stage state as JSON in `{stage}_state`), so a record round-trips exactly.
 */
export type HashFields = Record<string, string>;

const STRING_FIELDS = [
  'id',
  'status',
  'current_step',
  'created_at',
  'updated_at',
  'original_filename',
  'file_ext',
] as const;
const OPTIONAL_STRING_FIELDS = ['started_at', 'finished_at'] as const;
const NUMBER_FIELDS = ['progress', 'file_size', 'audio_duration'] as const;
const JSON_FIELDS = ['options', 'summary', 'warnings'] as const;
const OPTIONAL_JSON_FIELDS = ['error'] as const;
const BOOLEAN_FIELDS = ['prepared'] as const;
/** Fields this store keeps for itself (optimistic-concurrency revision). */
export const REV_FIELD = 'rev';
/** Keys of JobRecord this codec does not know (added later) travel as JSON under this prefix. */
const EXTRA_PREFIX = 'rec:';

const KNOWN_KEYS = new Set<string>([
  ...STRING_FIELDS,
  ...OPTIONAL_STRING_FIELDS,
  ...NUMBER_FIELDS,
  ...JSON_FIELDS,
  ...OPTIONAL_JSON_FIELDS,
  ...BOOLEAN_FIELDS,
  'stages',
]);

function stageField(
  stage: StageName,
  what: 'state' | 'status' | 'progress' | 'paths' | 'time' | 'model',
): string {
  return `${stage}_${what}`;
}

/** Names a summary value may not take as its flat copy (they are record fields). */
function reservedName(name: string): boolean {
  return (
    KNOWN_KEYS.has(name) ||
    name === REV_FIELD ||
    name === 'job_dir' ||
    name.startsWith(EXTRA_PREFIX) ||
    STAGE_NAMES.some((s) => name.startsWith(`${s}_`))
  );
}

function flat(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function encodeJob(job: JobRecord, jobDir: string): HashFields {
  const out: HashFields = { job_dir: jobDir };
  for (const k of STRING_FIELDS) out[k] = job[k];
  for (const k of OPTIONAL_STRING_FIELDS) {
    const v = job[k];
    if (v !== undefined) out[k] = v;
  }
  for (const k of NUMBER_FIELDS) out[k] = String(job[k]);
  for (const k of JSON_FIELDS) out[k] = JSON.stringify(job[k]);
  if (job.error !== undefined) out.error = JSON.stringify(job.error);
  out.prepared = job.prepared ? '1' : '0';
  for (const s of STAGE_NAMES) {
    const st = job.stages[s];
    out[stageField(s, 'state')] = JSON.stringify(st);
    out[stageField(s, 'status')] = st.status;
    out[stageField(s, 'progress')] = String(st.progress);
    out[stageField(s, 'paths')] = JSON.stringify(st.outputs);
    if (st.duration_s !== undefined) out[stageField(s, 'time')] = String(st.duration_s);
    if (st.engine) out[stageField(s, 'model')] = st.engine.name;
  }
  for (const [k, v] of Object.entries(job.summary)) if (!reservedName(k)) out[k] = flat(v);
  for (const [k, v] of Object.entries(job)) {
    if (!KNOWN_KEYS.has(k) && v !== undefined) out[`${EXTRA_PREFIX}${k}`] = JSON.stringify(v);
  }
  return out;
}

export class CorruptJobError extends Error {
  constructor(id: string, field: string) {
    super(`job hash ${id} has a missing or malformed field "${field}"`);
    this.name = 'CorruptJobError';
  }
}

/** Decode a hash read with HGETALL; undefined for an empty hash (no such job). */
export function decodeJob(fields: HashFields): JobRecord | undefined {
  if (Object.keys(fields).length === 0) return undefined;
  const id = fields.id ?? '?';
  const need = (k: string): string => {
    const v = fields[k];
    if (v === undefined) throw new CorruptJobError(id, k);
    return v;
  };
  const json = <T>(k: string): T => {
    try {
      return JSON.parse(need(k)) as T;
    } catch {
      throw new CorruptJobError(id, k);
    }
  };
  const num = (k: string): number => {
    const v = Number(need(k));
    if (!Number.isFinite(v)) throw new CorruptJobError(id, k);
    return v;
  };
  const stages = {} as Record<StageName, StageState>;
  for (const s of STAGE_NAMES) stages[s] = json<StageState>(stageField(s, 'state'));
  const job: JobRecord = {
    id: need('id'),
    status: need('status') as JobRecord['status'],
    progress: num('progress'),
    current_step: need('current_step'),
    created_at: need('created_at'),
    updated_at: need('updated_at'),
    original_filename: need('original_filename'),
    file_ext: need('file_ext'),
    file_size: num('file_size'),
    audio_duration: num('audio_duration'),
    prepared: need('prepared') === '1',
    options: json<JobRecord['options']>('options'),
    stages,
    summary: json<JobRecord['summary']>('summary'),
    warnings: json<string[]>('warnings'),
  };
  if (fields.started_at !== undefined) job.started_at = fields.started_at;
  if (fields.finished_at !== undefined) job.finished_at = fields.finished_at;
  if (fields.error !== undefined) job.error = json<NonNullable<JobRecord['error']>>('error');
  const extra = job as unknown as Record<string, unknown>;
  for (const k of Object.keys(fields)) {
    if (k.startsWith(EXTRA_PREFIX)) extra[k.slice(EXTRA_PREFIX.length)] = json<unknown>(k);
  }
  return job;
}

/** HGETALL's reply as flat [field, value, …] pairs for HSET. */
export function toArgs(fields: HashFields): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) out.push(k, v);
  return out;
}
