import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDir, toneWav } from '../helpers/audio.js';
import { ROOT } from '../helpers/cli.js';

/**
 * Audit 7, row 10: `karaoke process` cancelled its job on Ctrl-C only. `kill` (SIGTERM) or a
 * closed terminal (SIGHUP) ended it at once: its scratch job (`.karaoke-work-<pid>`, the decoded
 * mix and any stems) stayed inside --out for good. Both now stop it as Ctrl-C does: the job is
 * cancelled, the scratch directory removed, exit 128 + the signal's number.
 */
const dir = tmpDir('karaoke-cli-signals-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const song = path.join(dir, 'long.wav');
fs.writeFileSync(song, toneWav(240));

describe('audit 7: karaoke process stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s cancels and leaves no scratch job in --out', async (signal, code) => {
    const out = path.join(dir, `out-${signal}`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'process', song, '--out', out],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', OFFLINE: '1', SEPARATION_ENGINE: 'dsp' } },
    );
    let stderr = '';
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('checking and decoding')) resolve();
      }),
    );
    // The scratch job is made before the note is written; the run then takes many seconds.
    child.kill(signal);
    expect(await exited, stderr).toBe(code);
    const left = fs.existsSync(out) ? fs.readdirSync(out).filter((n) => n.startsWith('.karaoke-work')) : [];
    expect(left).toEqual([]);
  });
});
