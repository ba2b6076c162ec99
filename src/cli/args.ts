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
