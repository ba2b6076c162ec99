import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countArg, numberArg, portArg } from '../../src/cli/args.js';
import { tmpDir } from '../helpers/audio.js';
import { karaoke } from '../helpers/cli.js';

/**
 * Finding 16: `Number` read `--vocal-db ""` as 0 dB (the full lead vocal), `--semitones 0x2` as 2
 * and `--port ""` as port 0; and a bad `--role` or `--queues` exited 2 without a word (an
 * InvalidArgumentError thrown inside an action is not printed by commander). Each is now a usage
 * error naming the value, exit 2, before anything runs.
 */
const dir = tmpDir('karaoke-cli-hostile-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('numeric flags', () => {
  it.each(['', ' ', '0x2', '1e3', 'NaN', 'Infinity', '--1', '1.2.3', '3 dB'])('refuses %j', (v) => {
    expect(() => numberArg(v)).toThrow('expected a number');
  });
  it.each([
    ['-12', -12],
    ['0', 0],
    ['+3', 3],
    ['0.9', 0.9],
    ['.5', 0.5],
  ])('reads %j as %d', (v, n) => expect(numberArg(v)).toBe(n));
  it('counts are non-negative integers', () => {
    expect(countArg('8000')).toBe(8000);
    for (const v of ['', '-1', '1.5', '0x10', 'abc']) expect(() => countArg(v), v).toThrow();
  });

  it('ports are 0-65535 (audit 2: --port 99999 started the workers, then failed in listen with a stack)', () => {
    expect(portArg('8000')).toBe(8000);
    expect(portArg('0')).toBe(0);
    for (const v of ['65536', '99999', '', '-1', '80.5']) expect(() => portArg(v), v).toThrow();
  });

  it('an empty --vocal-db is a usage error naming the flag, not 0 dB', async () => {
    const job = path.join(dir, 'job');
    fs.mkdirSync(path.join(job, 'stems'), { recursive: true });
    const r = await karaoke(['variant', job, '--vocal-db', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--vocal-db <db>' argument '' is invalid");
    expect(fs.existsSync(path.join(job, 'variants'))).toBe(false);
  });
});

describe('bad values found by an action are said, not swallowed', () => {
  it.each([
    [['serve', '--role', 'bogus'], '--role must be all or api'],
    [['worker', '--queues', 'nope'], 'unknown queue "nope"'],
    [['serve', '--port', '99999'], "option '--port <port>' argument '99999' is invalid"],
  ])('%j', async (args, message) => {
    const r = await karaoke(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
