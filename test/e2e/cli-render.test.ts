import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/audio.js';
import { karaoke } from '../helpers/cli.js';
import { probeVideo, SONG_S, WORDS, writeSongDir } from '../helpers/video-job.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function songDir(): string {
  const dir = tmpDir('karaoke-render-');
  dirs.push(dir);
  writeSongDir(dir);
  return dir;
}

const assTime = (t: string) => {
  const [h, m, s] = t.split(':');
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
};

describe('karaoke render', () => {
  it('renders a 720p video of a tempo variant with its re-timed lyrics, and copies it to --out', async () => {
    const dir = songDir();
    const out = path.join(dir, 'song.mp4');
    const r = await karaoke(['render', dir, '--tempo', '0.8', '--title', 'Slow', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.params).toMatchObject({ size: '720p', title: 'Slow', artist: null });
    expect(res.params.variant).toMatch(/^v-[0-9a-f]{16}$/);
    expect(r.stderr).toMatch(/video vid-[0-9a-f]{16}: 100%/);
    const info = probeVideo(out);
    expect(info.video).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
    expect(Math.abs(info.duration - SONG_S / 0.8)).toBeLessThan(0.1);
    expect(fs.statSync(out).size).toBe(fs.statSync(path.join(dir, res.files.video)).size);
    // The first word is sung at 7.0 s in the song, 8.75 s at 0.8×: where its sweep starts.
    const ass = fs.readFileSync(path.join(dir, res.files.ass), 'utf8');
    const row = ass.split('\n').find((l) => l.startsWith('Dialogue: 0,') && l.includes(',Row0,'))!;
    const start = assTime(row.split(',')[1]);
    const wait = Number(/^[^{]*\{\\k(\d+)\}\{\\kf/.exec(row)?.[1] ?? 0) / 100;
    expect(start + wait).toBeCloseTo(WORDS[0].start / 0.8, 1);
  }, 120_000);

  it('refuses bad input with exit 2', async () => {
    const dir = songDir();
    for (const args of [
      ['--size', '4k'],
      ['--variant', 'v-0000000000000000'],
      ['--variant', 'nope'],
      ['--semitones', '9'],
      ['--variant', 'v-0000000000000000', '--tempo', '0.9'],
    ]) {
      const r = await karaoke(['render', dir, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
    }
    const empty = tmpDir('karaoke-render-');
    dirs.push(empty);
    expect((await karaoke(['render', empty])).code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'video'))).toBe(false);
  }, 120_000);
});
