import { InvalidArgumentError } from 'commander';

/**
 * Parsers of numeric command-line values. `Number` alone read `--vocal-db ""` as 0 dB (the full
 * lead vocal), `--port ""` as port 0 (a random one) and `--semitones 0x2` as 2: a value is a
 * plain decimal number or it is refused with commander's usage error (exit 2).
 */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function numberArg(value: string): number {
  if (!DECIMAL.test(value.trim())) throw new InvalidArgumentError('expected a number');
  return Number(value);
}

export function countArg(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

/** The highest TCP port. */
const MAX_PORT = 65_535;

/**
 * A TCP port, 0–65535 as PORT (0: any free port). `--port 99999` passed as a count, started the
 * workers and only then failed in `listen` with a logged stack trace; it is now a usage error
 * before anything runs.
 */
export function portArg(value: string): number {
  const n = countArg(value);
  if (n > MAX_PORT) throw new InvalidArgumentError(`expected a port, 0-${MAX_PORT}`);
  return n;
}
