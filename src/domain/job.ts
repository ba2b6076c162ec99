import type { EngineInfo, JobOptions, JsonValue, StageName } from './stage.js';
import { STAGE_NAMES } from './stage.js';

export const JOB_STATUSES = [
  'queued',
  'processing',
  'completed',
  'partial',
  'failed',
  'cancelled',
  'corrupt', // its stored record could not be read at start-up (reason in error); it can be deleted
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const STAGE_STATUSES = [
  'pending', // waiting for its dependencies
  'queued',
  'running',
  'retrying', // a transient error; the next attempt is scheduled
  'completed',
  'failed',
  'unavailable', // the engine cannot run here (reason in error)
  'skipped', // not requested, or a dependency did not produce what it needs
  'cancelled',
] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** A stage that is queued, running or waiting to retry: its task is, or should be, in the queue. */
export const IN_FLIGHT_STAGE: readonly StageStatus[] = ['queued', 'running', 'retrying'];

export const TERMINAL_JOB: readonly JobStatus[] = ['completed', 'partial', 'failed', 'cancelled', 'corrupt'];
export const TERMINAL_STAGE: readonly StageStatus[] = [
  'completed',
  'failed',
  'unavailable',
  'skipped',
  'cancelled',
];

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface StageState {
  status: StageStatus;
  progress: number;
  message?: string;
  engine?: EngineInfo;
  attempts: number;
  queued_at?: string;
  started_at?: string;
  finished_at?: string;
  duration_s?: number;
  outputs: Record<string, string>;
  warnings: string[];
  error?: ErrorInfo;
}

export interface JobRecord {
  id: string;
  status: JobStatus;
  progress: number;
  current_step: string;
  created_at: string;
  updated_at: string;
  started_at?: string;
  finished_at?: string;
  original_filename: string;
  file_ext: string;
  file_size: number;
  audio_duration: number;
  /** Set once the mixture has been decoded to work/mix.wav. */
  prepared: boolean;
  options: JobOptions;
  stages: Record<StageName, StageState>;
  /** Scalar results copied from stages (tempo_bpm, time_signature, language, …). */
  summary: Record<string, JsonValue>;
  warnings: string[];
  error?: ErrorInfo;
  /** Hash of the API key that created the job (see http/access.ts); absent when keys are off. */
  owner?: string;
  /** Where the final status is POSTed (see infra/webhooks.ts). */
  webhook_url?: string;
}

export function isTerminalJob(status: JobStatus): boolean {
  return TERMINAL_JOB.includes(status);
}

export function isTerminalStage(status: StageStatus): boolean {
  return TERMINAL_STAGE.includes(status);
}

export function isInFlight(status: StageStatus): boolean {
  return IN_FLIGHT_STAGE.includes(status);
}

export interface NewJob {
  id: string;
  originalFilename: string;
  fileExt: string;
  fileSize: number;
  audioDuration: number;
  options: JobOptions;
  owner?: string;
  webhookUrl?: string;
  now?: Date;
}

export function newJobRecord(input: NewJob): JobRecord {
  const now = (input.now ?? new Date()).toISOString();
  const stages = {} as Record<StageName, StageState>;
  for (const s of STAGE_NAMES) {
    const requested = input.options.stages.includes(s);
    stages[s] = {
      status: requested ? 'pending' : 'skipped',
      progress: 0,
      attempts: 0,
      outputs: {},
      warnings: [],
      ...(requested ? {} : { message: 'not requested' }),
    };
  }
  return {
    id: input.id,
    status: 'queued',
    progress: 0,
    current_step: 'queued',
    created_at: now,
    updated_at: now,
    original_filename: input.originalFilename,
    file_ext: input.fileExt,
    file_size: input.fileSize,
    audio_duration: input.audioDuration,
    prepared: false,
    options: input.options,
    stages,
    summary: {},
    warnings: [],
    ...(input.owner ? { owner: input.owner } : {}),
    ...(input.webhookUrl ? { webhook_url: input.webhookUrl } : {}),
  };
}
