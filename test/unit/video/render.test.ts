import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { findMediaTools } from '../../../src/infra/ffmpeg.js';
import { jobPaths } from '../../../src/storage/paths.js';
import { parseVideoParams, videoId } from '../../../src/video/params.js';
import { renderVideo, type VideoFiles } from '../../../src/video/render.js';
import { tmpDir } from '../../helpers/audio.js';
import { frameAt, mp4Boxes, probeVideo, SONG_S, WORDS, writeSongDir } from '../../helpers/video-job.js';

/**
 * A karaoke video read back: probed (codecs, size, length, faststart) and looked at frame by
 * frame (pixels of the sung colour and of the upcoming colour in the rows of text).
 */
const W = 1280;
const H = 720;
let dir: string;
let files: VideoFiles;
const progress: number[] = [];

beforeAll(async () => {
  dir = tmpDir('karaoke-video-');
  writeSongDir(dir);
  const params = parseVideoParams({ title: 'Test Song', artist: 'The Band' });
  files = await renderVideo(
    findMediaTools(testConfig().searchPath),
    jobPaths(dir),
    videoId(params),
    params,
    (p) => progress.push(p),
  );
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Kind = 'sung' | 'upcoming' | 'dim';
/** The karaoke colours of ass.ts: sung gold (255,200,0), upcoming white, count-in dots grey. */
function kindOf(r: number, g: number, b: number): Kind | undefined {
  if (r > 200 && g > 150 && g < 235 && b < 90) return 'sung';
  if (r > 225 && g > 225 && b > 225) return 'upcoming';
  if (Math.abs(r - 128) < 25 && Math.abs(g - 128) < 25 && Math.abs(b - 128) < 25) return 'dim';
  return undefined;
}

interface Band {
  top: number;
  bottom: number;
  counts: Record<Kind, number>;
}

/** Horizontal bands of text: runs of rows holding coloured pixels, top to bottom. */
function textBands(rgb: Buffer): Band[] {
  const bands: Band[] = [];
  let cur: Band | undefined;
  let gap = 0;
  for (let y = 0; y < H; y++) {
    const counts: Record<Kind, number> = { sung: 0, upcoming: 0, dim: 0 };
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      const k = kindOf(rgb[i], rgb[i + 1], rgb[i + 2]);
      if (k) counts[k]++;
    }
    const any = counts.sung + counts.upcoming + counts.dim > 0;
    if (any) {
      if (!cur) bands.push((cur = { top: y, bottom: y, counts: { sung: 0, upcoming: 0, dim: 0 } }));
      cur.bottom = y;
      for (const k of Object.keys(counts) as Kind[]) cur.counts[k] += counts[k];
      gap = 0;
    } else if (cur && ++gap > 6) cur = undefined;
  }
  // Specks (an anti-aliased edge that happens to match) are no text.
  return bands.filter((b) => b.counts.sung + b.counts.upcoming + b.counts.dim > 50);
}

const mp4 = () => path.join(dir, files.video);

describe('karaoke video', () => {
  it('is an H.264 + AAC MP4 at 720p, yuv420p, as long as the audio, with moov first', () => {
    const info = probeVideo(mp4());
    expect(info.video).toMatchObject({ codec_name: 'h264', width: W, height: H, pix_fmt: 'yuv420p' });
    expect(info.audio?.codec_name).toBe('aac');
    expect(Math.abs(info.duration - SONG_S)).toBeLessThan(0.1);
    const boxes = mp4Boxes(mp4());
    expect(boxes.indexOf('moov')).toBeGreaterThan(-1);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    expect(fs.readdirSync(path.dirname(mp4())).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('reports progress up to 100', () => {
    expect(progress.at(-1)).toBe(100);
    expect(progress.every((p, i) => p >= 0 && p <= 100 && (i === 0 || p >= progress[i - 1]))).toBe(true);
  });

  it('sweeps the sung word in the highlight while the next line waits in the upcoming colour', () => {
    // 8.2 s: "sing" sung, "along" half swept (7.8–8.6), "now" to come; line 2 shown since 7.0 s.
    const bands = textBands(frameAt(mp4(), 8.2, W, H));
    expect(bands).toHaveLength(2);
    const [current, next] = bands;
    expect(current.counts.sung).toBeGreaterThan(300);
    expect(current.counts.upcoming).toBeGreaterThan(300);
    expect(next.counts.upcoming).toBeGreaterThan(300);
    expect(next.counts.sung).toBe(0);
    // Later in the word more of the line is gold.
    const later = textBands(frameAt(mp4(), 9.5, W, H))[0];
    expect(later.top).toBeCloseTo(current.top, -1);
    expect(later.counts.sung).toBeGreaterThan(current.counts.sung * 1.3);
  });

  it('counts in with dots above the first line after the rest, nothing sung yet', () => {
    // Beats at 5, 5.5, 6, 6.5 count in the line that starts at 7.0: at 6.2 s three dots are lit.
    const bands = textBands(frameAt(mp4(), 6.2, W, H));
    expect(bands).toHaveLength(2);
    const [dots, line] = bands;
    expect(dots.counts.sung).toBeGreaterThan(50);
    expect(dots.counts.dim).toBeGreaterThan(10);
    expect(line.counts.sung).toBe(0);
    expect(line.counts.upcoming).toBeGreaterThan(300);
  });

  it('opens on a title card that is not a lyric frame', () => {
    const bands = textBands(frameAt(mp4(), 0.5, W, H));
    expect(bands.length).toBeGreaterThanOrEqual(1);
    expect(bands.every((b) => b.counts.sung === 0)).toBe(true);
    // Centred (title and artist), above where the lyric rows are.
    const lyricTop = textBands(frameAt(mp4(), 8.2, W, H))[0].top;
    expect(bands[0].top).toBeLessThan(H / 2);
    expect(bands.at(-1)!.bottom).toBeLessThan(lyricTop);
  });

  it('keeps a line too long for the frame on one row, inside the frame', async () => {
    const other = tmpDir('karaoke-video-long-');
    try {
      const long =
        'and all the pigeons gather at my feet while the morning comes with coffee and a song again';
      writeSongDir(other, { firstLine: long.split(' ') });
      const params = parseVideoParams({});
      const tools = findMediaTools(testConfig().searchPath);
      const f = await renderVideo(tools, jobPaths(other), videoId(params), params, () => undefined);
      const rgb = frameAt(path.join(other, f.video), 8.0, W, H);
      const bands = textBands(rgb);
      expect(bands).toHaveLength(2);
      expect(bands[0].counts.sung).toBeGreaterThan(100);
      // No text in the side margins: the line was set smaller, not cut or wrapped.
      let edge = 0;
      for (let y = bands[0].top; y <= bands[0].bottom; y++)
        for (const x of [...Array(40).keys(), ...Array.from({ length: 40 }, (_, i) => W - 1 - i)]) {
          const i = (y * W + x) * 3;
          if (kindOf(rgb[i], rgb[i + 1], rgb[i + 2])) edge++;
        }
      expect(edge).toBe(0);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);

  it('leaves no MP4 behind when ffmpeg fails half-way', async () => {
    const other = tmpDir('karaoke-video-fail-');
    try {
      writeSongDir(other);
      // An "ffmpeg" that writes part of its output file (the last argument), then fails.
      const fake = path.join(other, 'ffmpeg');
      fs.writeFileSync(
        fake,
        '#!/bin/sh\nfor last; do :; done\necho partial > "$last"\necho boom >&2\nexit 1\n',
        {
          mode: 0o755,
        },
      );
      const tools = { ...findMediaTools(testConfig().searchPath), ffmpeg: fake };
      const params = parseVideoParams({});
      const id = videoId(params);
      await expect(renderVideo(tools, jobPaths(other), id, params, () => undefined)).rejects.toThrow(/boom/);
      expect(fs.readdirSync(jobPaths(other).videoDir(id))).toEqual(['karaoke.ass']);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('burns in the ASS it writes beside it, at the frame size', () => {
    const ass = fs.readFileSync(path.join(dir, files.ass), 'utf8');
    expect(ass).toContain(`PlayResX: ${W}`);
    expect(ass).toContain(`PlayResY: ${H}`);
    const rows = ass.split('\n').filter((l) => /^Dialogue: \d+,[^,]+,[^,]+,Row/.test(l));
    expect(rows).toHaveLength(2);
    const sweeps = [...rows[0].matchAll(/\{\\kf(\d+)\}/g)].map((m) => Number(m[1]) / 100);
    const line0 = WORDS.filter((w) => w.line === 0);
    expect(sweeps).toEqual(line0.map((w) => Math.round((w.end - w.start) * 100) / 100));
    expect(ass).toMatch(/^Dialogue: 0,0:00:00\.00,[^,]+,Title,.*Test Song.*The Band/m);
  });
});
