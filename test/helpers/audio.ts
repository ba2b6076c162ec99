import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav } from '../../src/audio/wav.js';
import { findMediaTools } from '../../src/infra/ffmpeg.js';
import { testConfig } from '../../src/config.js';

/** Test audio made in the test: tones and clicks written as WAV, converted with ffmpeg when needed. */
export function tmpDir(prefix = 'karaoke-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function toneWav(
  seconds: number,
  opts: { sampleRate?: number; freq?: number; channels?: number } = {},
): Buffer {
  const sr = opts.sampleRate ?? 44100;
  const n = Math.round(seconds * sr);
  const ch = new Float32Array(n);
  const f = opts.freq ?? 440;
  for (let i = 0; i < n; i++)
    ch[i] = 0.3 * Math.sin((2 * Math.PI * f * i) / sr) + (i % Math.round(sr / 2) < 200 ? 0.5 : 0);
  const channels = Array.from({ length: opts.channels ?? 2 }, () => ch);
  return encodeWav({ sampleRate: sr, channels });
}

export function writeTone(dir: string, name: string, seconds: number): string {
  const file = path.join(dir, name);
  const wav = toneWav(seconds);
  if (name.endsWith('.wav')) fs.writeFileSync(file, wav);
  else {
    const src = path.join(dir, `src-${name}.wav`);
    fs.writeFileSync(src, wav);
    execFileSync(findMediaTools(testConfig().searchPath).ffmpeg, ['-v', 'error', '-y', '-i', src, file]);
    fs.rmSync(src);
  }
  return file;
}
