/**
 * @file Errors carry a stable code and an HTTP status. Their class is also a signal to the
 * stage runner: which ones are never retried is decided in one place, domain/retry.ts.
 */

/** The longest part of a client's name (a key, a form field, a query parameter) that a message shows. */
const MAX_NAME_CHARS = 40;

/**
 * How an error message shows a name the client gave: quoted as JSON (a quote or a control
 * character is escaped, so it cannot break the message's own quoting) and cut at 40 characters
 * (a name may be kilobytes: a 500 KB JSON key came back as a 500 KB message).
 */
export function quotedName(name: string): string {
  return JSON.stringify(name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name);
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller's input is wrong (bad file, bad option). Never retried; maps to 4xx. */
export class InputError extends AppError {
  constructor(code: string, message: string, status = 400, options?: { cause?: unknown }) {
    super(code, message, status, options);
  }
}

/** An engine cannot run here (model missing, offline, unsupported). Never retried; the stage ends `unavailable`. */
export class UnavailableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENGINE_UNAVAILABLE', message, 503, options);
  }
}

/** Work was cancelled by the user or by shutdown. Never retried. */
export class CancelledError extends AppError {
  constructor(message = 'cancelled') {
    super('CANCELLED', message, 409);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message, 404);
  }
}

/** A stage or the whole job ran past its time limit. Never retried (see domain/retry.ts). */
export class TimeoutError extends AppError {
  constructor(what: string, seconds: number) {
    super('TIMEOUT', `${what} exceeded its time limit of ${seconds} s`, 504);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * The process is shutting down: work stops without recording an outcome, so that it is
 * resumed (embedded) or handed back to the queue (distributed). Used as an AbortSignal reason.
 */
export class ShutdownError extends AppError {
  constructor() {
    super('SHUTTING_DOWN', 'the worker is shutting down', 503);
  }
}

export function isShutdown(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason instanceof ShutdownError;
}
