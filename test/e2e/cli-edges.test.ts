import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { karaoke } from '../helpers/cli.js';
import { tmpDir, toneWav } from '../helpers/audio.js';

/** The CLI as a person drives it: wrong paths, missing flags, start-up lines, `doctor`. */

let dir: string;
let song: string;
beforeAll(() => {
  dir = tmpDir('karaoke-cli-edges-');
  song = path.join(dir, 'song.wav');
  fs.writeFileSync(song, toneWav(2));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('karaoke process: bad paths and flags exit 2 with a clear message', () => {
  it('a directory as the input', async () => {
    const out = path.join(dir, 'o1');
    const r = await karaoke(['process', dir, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a directory');
    expect(r.stderr).not.toContain('no such file');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('no --out', async () => {
    const r = await karaoke(['process', song]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out');
  });

  it('--out naming a file', async () => {
    const r = await karaoke(['process', song, '--out', song]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out must be a directory');
    expect(r.stderr).not.toContain('EEXIST');
  });

  it('a bad --separation-engine is named by its flag', async () => {
    const out = path.join(dir, 'o2');
    const r = await karaoke(['process', song, '--out', out, '--separation-engine', 'magic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--separation-engine must be auto, htdemucs or dsp');
    expect(r.stderr).not.toContain('separation_engine');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a bad --beats-source is named by its flag; drums adds separation and tracks the stems', async () => {
    const bad = await karaoke(['process', song, '--out', path.join(dir, 'o4'), '--beats-source', 'bass']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--beats-source must be mix or drums');
    const out = path.join(dir, 'o5');
    const r = await karaoke([
      'process',
      song,
      '--out',
      out,
      '--stages',
      'beats',
      '--beats-source',
      'drums',
      '--separation-engine',
      'dsp',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'stems', 'drums.wav'))).toBe(true);
    const analysis = JSON.parse(fs.readFileSync(path.join(out, 'beat_analysis', 'analysis.json'), 'utf8'));
    expect(analysis.source).toBe('drums');
  });

  it('says what it is doing before the first progress line, and keeps original.<ext>', async () => {
    const out = path.join(dir, 'o3');
    const r = await karaoke(['process', song, '--out', out, '--stages', 'beats']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('karaoke: checking and decoding song.wav…');
    expect(fs.readdirSync(out)).toContain('original.wav');
  });
});

describe('karaoke doctor', () => {
  it('reports each part of the machine, and what a missing one costs', async () => {
    const r = await karaoke(['doctor', '--json'], {
      MODELS_DIR: path.join(dir, 'models'),
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(r.code).toBe(0);
    const checks = JSON.parse(r.stdout) as { name: string; ok: boolean; detail: string; cost?: string }[];
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'decoders',
        'ffmpeg',
        'model htdemucs',
        'ONNX providers',
        'Redis',
        'free disk',
      ]),
    );
    const redis = checks.find((c) => c.name === 'Redis');
    expect(redis).toMatchObject({ ok: false, cost: expect.stringContaining('distributed mode') });
    const whisper = checks.find((c) => c.name.startsWith('model whisper-'));
    expect(whisper).toMatchObject({ ok: false, cost: expect.stringContaining('karaoke models pull') });
    expect(checks.find((c) => c.name === 'ONNX providers')?.detail).toContain('cpu');
  });
});
