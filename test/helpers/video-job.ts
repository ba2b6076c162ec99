import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { testConfig } from '../../src/config.js';
import { findMediaTools } from '../../src/infra/ffmpeg.js';
import { toneWav } from './audio.js';

/**
 * A processed song directory as `karaoke process --out` leaves it, for the video: a tone as the
 * instrumental, two lines sung back to back after a rest, and a 120 BPM grid in 4/4.
 */
export const SONG_S = 15;
export const WORDS = [
  { word: 'sing', start: 7.0, end: 7.6, line: 0 },
  { word: 'along', start: 7.8, end: 8.6, line: 0 },
  { word: 'now', start: 9.0, end: 10.0, line: 0 },
  { word: 'the', start: 10.5, end: 11.5, line: 1 },
  { word: 'next', start: 11.6, end: 12.6, line: 1 },
  { word: 'line', start: 12.7, end: 13.5, line: 1 },
].map((w) => ({ ...w, confidence: 0.9, flags: [] }));
export const BEATS = Array.from({ length: SONG_S * 2 }, (_, i) => i / 2);

/** `firstLine`: other words for line 1, sung from 7.0 s one every 0.15 s (e.g. a line too long for a row). */
export function writeSongDir(dir: string, opts: { firstLine?: string[] } = {}): void {
  for (const d of ['stems', 'transcription', 'beat_analysis'])
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'stems', 'instrumental.wav'), toneWav(SONG_S));
  const words = opts.firstLine
    ? [
        ...opts.firstLine.map((word, i) => ({
          word,
          start: 7 + i * 0.15,
          end: 7.1 + i * 0.15,
          line: 0,
          confidence: 0.9,
          flags: [],
        })),
        ...WORDS.filter((w) => w.line === 1),
      ]
    : WORDS;
  const segments = [0, 1].map((id) => ({
    id,
    text: words
      .filter((w) => w.line === id)
      .map((w) => w.word)
      .join(' '),
  }));
  fs.writeFileSync(
    path.join(dir, 'transcription', 'transcription.json'),
    JSON.stringify({ language: 'en', words, segments }),
  );
  fs.writeFileSync(
    path.join(dir, 'beat_analysis', 'beats.json'),
    JSON.stringify({
      tempo_bpm: 120,
      beats: BEATS.map((time, i) => ({ time, position: (i % 4) + 1 })),
      downbeats: BEATS.filter((_, i) => i % 4 === 0),
    }),
  );
}

const tools = () => findMediaTools(testConfig().searchPath);

export interface VideoProbe {
  video?: { codec_name: string; width: number; height: number; pix_fmt: string };
  audio?: { codec_name: string };
  duration: number;
}

export function probeVideo(file: string): VideoProbe {
  const out = execFileSync(tools().ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=duration:stream=codec_type,codec_name,width,height,pix_fmt',
    '-of',
    'json',
    file,
  ]);
  const j = JSON.parse(out.toString('utf8')) as {
    format: { duration: string };
    streams: { codec_type: string; codec_name: string; width: number; height: number; pix_fmt: string }[];
  };
  return {
    video: j.streams.find((s) => s.codec_type === 'video'),
    audio: j.streams.find((s) => s.codec_type === 'audio'),
    duration: Number(j.format.duration),
  };
}

/** One decoded frame at `t` seconds as RGB24. */
export function frameAt(file: string, t: number, w: number, h: number): Buffer {
  const rgb = execFileSync(
    tools().ffmpeg,
    [
      '-v',
      'error',
      '-ss',
      String(t),
      '-i',
      file,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  if (rgb.length !== w * h * 3) throw new Error(`frame of ${rgb.length} bytes, not ${w}x${h}`);
  return rgb;
}

/** The top-level MP4 boxes in file order (faststart: moov before mdat). */
export function mp4Boxes(file: string): string[] {
  const buf = fs.readFileSync(file);
  const out: string[] = [];
  for (let at = 0; at + 8 <= buf.length;) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(at + 8));
    out.push(type);
    if (size < 8) break;
    at += size;
  }
  return out;
}
