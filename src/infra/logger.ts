import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config.js';

export type { Logger };

/** Structured JSON logs; pretty output when stdout is a terminal. */
export function createLogger(level: LogLevel, opts: { pretty?: boolean; destination?: number } = {}): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss', destination: opts.destination ?? 1 },
      },
    });
  }
  return pino({ level, base: { pid: process.pid } }, pino.destination(opts.destination ?? 1));
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
