/**
 * @file JobRecord ⇄ the fields of the Redis hash `job:{id}`.
 *
 * The record itself is one JSON field, `record`: a status poll is then one HGET and one
 * JSON.parse (reading ~30 separate fields was several times slower under load). Beside it the
 * hash carries the flat fields of the seed design, for people and other tools (`HGETALL job:…`):
 * status, progress, current_step, created_at, updated_at, job_dir, original_filename,
 * audio_duration, file_size, …, per stage `{stage}_status`, `{stage}_progress`, `{stage}_paths`,
 * `{stage}_time`, `{stage}_model`, and every scalar result (tempo_bpm, beat_count,
 * time_signature, language, …). They are written in the same HSET as `record`, so they never
 * disagree with it; the store never reads them back.
 */

import type { JobRecord } from '../domain/job.js';
import type { JsonValue, StageName } from '../domain/stage.js';
import { STAGE_NAMES } from '../domain/stage.js';
import { corruptRecord, recordProblem } from './record-check.js';

export type HashFields = Record<string, string>;

/** The field holding the whole record as JSON. */
export const RECORD_FIELD = 'record';
/** The store's optimistic-concurrency revision. */
export const REV_FIELD = 'rev';

const VIEW_SCALARS = [
  'id',
  'status',
  'progress',
  'current_step',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
  'original_filename',
  'file_ext',
  'file_size',
  'audio_duration',
] as const;

function stageField(
  stage: StageName,
  what: 'status' | 'progress' | 'paths' | 'time' | 'model' | 'error',
): string {
  return `${stage}_${what}`;
}

/** Names a summary value may not take as its flat copy (they are fields of their own). */
function reservedName(name: string): boolean {
  return (
    (VIEW_SCALARS as readonly string[]).includes(name) ||
    [RECORD_FIELD, REV_FIELD, 'job_dir', 'prepared', 'error'].includes(name) ||
    STAGE_NAMES.some((s) => name.startsWith(`${s}_`))
  );
}

function flat(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function encodeJob(job: JobRecord, jobDir: string): HashFields {
  const out: HashFields = {
    [RECORD_FIELD]: JSON.stringify(job),
    job_dir: jobDir,
    prepared: job.prepared ? '1' : '0',
  };
  for (const k of VIEW_SCALARS) {
    const v = job[k];
    if (v !== undefined) out[k] = String(v);
  }
  if (job.error) out.error = job.error.message;
  for (const s of STAGE_NAMES) {
    const st = job.stages[s];
    out[stageField(s, 'status')] = st.status;
    out[stageField(s, 'progress')] = String(st.progress);
    out[stageField(s, 'paths')] = JSON.stringify(st.outputs);
    if (st.duration_s !== undefined) out[stageField(s, 'time')] = String(st.duration_s);
    if (st.engine) out[stageField(s, 'model')] = st.engine.name;
    if (st.error) out[stageField(s, 'error')] = st.error.message;
  }
  for (const [k, v] of Object.entries(job.summary)) if (!reservedName(k)) out[k] = flat(v);
  return out;
}

/**
 * Decode the `record` field of job `id` (null or undefined: no such job). A record that is not
 * a valid record of that job (record-check.ts: hand-edited, written by another version or by
 * someone else with access to Redis) is a `corrupt` job that can be deleted, as the file store
 * quarantines a bad job.json; it threw, and one such hash made every listing a 500.
 */
export function decodeJob(
  record: string | null | undefined,
  id: string,
  onCorrupt?: (problem: string) => void,
): JobRecord | undefined {
  if (record === null || record === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    value = undefined;
  }
  const problem = recordProblem(value, id);
  if (problem === undefined) return value as JobRecord;
  onCorrupt?.(problem);
  return corruptRecord(id, problem, new Date(), { owner: (value as { owner?: unknown } | null)?.owner });
}

/** Fields as flat [field, value, …] pairs for HSET. */
export function toArgs(fields: HashFields): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) out.push(k, v);
  return out;
}
