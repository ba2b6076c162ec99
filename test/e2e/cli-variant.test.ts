import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/audio/wav.js';
import { tmpDir, toneWav } from '../helpers/audio.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function karaoke(args: string[]) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      timeout: 120_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('karaoke variant', () => {
  it('writes a slower, lower instrumental with re-timed beats', async () => {
    const dir = tmpDir('karaoke-variant-');
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'stems'));
    fs.mkdirSync(path.join(dir, 'beat_analysis'));
    fs.writeFileSync(path.join(dir, 'stems', 'instrumental.wav'), toneWav(2));
    fs.writeFileSync(
      path.join(dir, 'beat_analysis', 'beats.json'),
      JSON.stringify({
        tempo_bpm: 120,
        beats: [
          { time: 0.5, position: 1 },
          { time: 1, position: 2 },
        ],
        downbeats: [0.5],
      }),
    );
    const r = await karaoke(['variant', dir, '--semitones', '-2', '--tempo', '0.9']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.params).toEqual({ semitones: -2, tempo: 0.9, vocal_db: null, format: 'wav' });
    const wav = decodeWav(fs.readFileSync(path.join(dir, out.files.instrumental)));
    expect(wav.channels[0].length / wav.sampleRate).toBeCloseTo(2 / 0.9, 1);
    const beats = JSON.parse(fs.readFileSync(path.join(dir, out.files.beats), 'utf8'));
    expect(beats.beats[1].time).toBeCloseTo(1 / 0.9, 3);
    expect(beats.tempo_bpm).toBeCloseTo(108, 3);
  });

  it('refuses bad parameters and a directory without stems (exit 2)', async () => {
    const dir = tmpDir('karaoke-variant-');
    dirs.push(dir);
    expect((await karaoke(['variant', dir, '--semitones', '9'])).code).toBe(2);
    const r = await karaoke(['variant', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/instrumental/);
  });
});
