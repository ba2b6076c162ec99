import type { PcmAudio } from '../audio/pcm.js';
import type { AppConfig } from '../config.js';
import type { JobOptions, StageOutcome } from '../domain/stage.js';
import { AppError, CancelledError, InputError, ShutdownError, UnavailableError } from '../errors.js';

/** Messages between a stage thread and the main thread. */
export interface RunRequest {
  type: 'run';
  id: number;
  jobId: string;
  stage: string;
  storageDir: string;
  options: JobOptions;
  config: AppConfig;
}

export type ToWorker =
  | RunRequest
  | { type: 'abort'; id: number; shutdown: boolean }
  | { type: 'mix'; id: number; audio: PcmAudio }
  | { type: 'mix-error'; id: number; error: SerialisedError };

export type FromWorker =
  | { type: 'progress'; id: number; percent: number; message?: string }
  | { type: 'log'; line: string }
  | { type: 'need-mix'; id: number }
  | { type: 'done'; id: number; outcome: StageOutcome }
  | { type: 'error'; id: number; error: SerialisedError };

export interface SerialisedError {
  kind: 'input' | 'unavailable' | 'cancelled' | 'shutdown' | 'app' | 'other';
  code: string;
  status: number;
  message: string;
}

/** Errors cross the thread boundary by kind, so the stage runner still sees the right class. */
export function serialiseError(err: unknown): SerialisedError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ShutdownError) return { kind: 'shutdown', code: err.code, status: err.status, message };
  if (err instanceof CancelledError)
    return { kind: 'cancelled', code: err.code, status: err.status, message };
  if (err instanceof UnavailableError)
    return { kind: 'unavailable', code: err.code, status: err.status, message };
  if (err instanceof InputError) return { kind: 'input', code: err.code, status: err.status, message };
  if (err instanceof AppError) return { kind: 'app', code: err.code, status: err.status, message };
  return { kind: 'other', code: 'STAGE_ERROR', status: 500, message };
}

export function reviveError(e: SerialisedError): Error {
  switch (e.kind) {
    case 'shutdown':
      return new ShutdownError();
    case 'cancelled':
      return new CancelledError(e.message);
    case 'unavailable':
      return new UnavailableError(e.message);
    case 'input':
      return new InputError(e.code, e.message, e.status);
    case 'app':
      return new AppError(e.code, e.message, e.status);
    case 'other':
      return new Error(e.message);
  }
}
