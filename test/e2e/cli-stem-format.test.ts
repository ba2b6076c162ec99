import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/audio/wav.js';
import { testConfig } from '../../src/config.js';
import { findMediaTools } from '../../src/infra/ffmpeg.js';
import { tmpDir, writeTone } from '../helpers/audio.js';
import { karaoke } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function codecOf(file: string): { codec: string; bits: number } {
  const out = execFileSync(findMediaTools(testConfig().searchPath).ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_name,bits_per_raw_sample',
    '-of',
    'json',
    file,
  ]);
  const s = (
    JSON.parse(out.toString('utf8')) as { streams: { codec_name: string; bits_per_raw_sample?: string }[] }
  ).streams[0];
  return { codec: s.codec_name, bits: Number(s.bits_per_raw_sample ?? 0) };
}

describe('karaoke process --stem-format', () => {
  it('writes FLAC stems, and a variant of them reads the kept WAV copy', async () => {
    const dir = tmpDir('karaoke-stemfmt-');
    dirs.push(dir);
    const song = writeTone(dir, 'song.wav', 2);
    const out = path.join(dir, 'out');
    const r = await karaoke([
      'process',
      song,
      '--out',
      out,
      '--stages',
      'separation',
      '--separation-engine',
      'dsp',
      '--stem-format',
      'flac',
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.stages.separation.outputs.vocals).toBe('stems/vocals.flac');
    expect(summary.summary.stem_format).toBe('flac');
    for (const name of ['vocals', 'drums', 'bass', 'other', 'instrumental'])
      expect(codecOf(path.join(out, 'stems', `${name}.flac`))).toEqual({ codec: 'flac', bits: 16 });
    expect(fs.readdirSync(path.join(out, 'stems', '.source')).sort()).toEqual([
      'instrumental.wav',
      'vocals.wav',
    ]);
    const v = await karaoke(['variant', out, '--format', 'wav24']);
    expect(v.code).toBe(0);
    const files = JSON.parse(v.stdout).files;
    const wav = fs.readFileSync(path.join(out, files.instrumental));
    expect(codecOf(path.join(out, files.instrumental)).codec).toBe('pcm_s24le');
    expect(decodeWav(wav).channels[0].length).toBe(2 * 44100);
  }, 120_000);

  it('refuses an unknown format with exit 2 and the choices', async () => {
    const dir = tmpDir('karaoke-stemfmt-');
    dirs.push(dir);
    const song = writeTone(dir, 'song.wav', 1);
    const r = await karaoke(['process', song, '--out', path.join(dir, 'out'), '--stem-format', 'aiff']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--stem-format must be one of wav, wav24, wav_f32, flac, mp3, opus');
  });
});
