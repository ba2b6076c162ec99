/**
 * Karaoke video render time against the song's length, on an eval-kit song (default: the
 * 3-minute p99_long_120). The job directory is built from the kit's truth: the instrumental is
 * drums + bass + other, the words and lines are the sung ones, the grid the true beats.
 *  - ours: renderVideo at 720p (the service's settings: x264 veryfast, stillimage, crf 23, 25 fps);
 *  - the same video with other settings, to show what the choice buys: x264's default preset
 *    (medium) at 30 fps, and 1080p / 480p with our settings;
 *  - the floor: our settings without the lyrics (no libass), i.e. what the encode alone costs.
 * Wall time and ffmpeg's CPU time (user + sys of the child, from /proc/self/stat) are both
 * reported: the machine is shared, so wall time depends on the load (printed too).
 * Run: npx tsx bench/video-bench.ts [/tmp/karaoke-eval/public/corpus/p99_long_120]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderAss } from '../src/exports/ass.js';
import { exec } from '../src/infra/exec.js';
import { findMediaTools, probe } from '../src/infra/ffmpeg.js';
import { jobPaths } from '../src/storage/paths.js';
import { parseVideoParams, videoId, VIDEO_SIZES, type VideoSize } from '../src/video/params.js';
import { renderVideo, videoArgs } from '../src/video/render.js';
import { readTranscript } from '../src/video/sources.js';

const song = process.argv[2] ?? '/tmp/karaoke-eval/public/corpus/p99_long_120';
const tools = findMediaTools((process.env.PATH ?? '').split(path.delimiter));
const truth = JSON.parse(fs.readFileSync(path.join(song, 'truth.json'), 'utf8')) as {
  duration: number;
  beats: number[];
  downbeats: number[];
  lyrics: string;
  words: { word: string; start: number; end: number }[];
};
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'video-bench-'));
const dir = path.join(work, 'job');
const paths = jobPaths(dir);

function buildJob(): void {
  fs.mkdirSync(path.join(dir, 'stems'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'transcription'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'beat_analysis'), { recursive: true });
  const stems = ['drums', 'bass', 'other'];
  execFileSync(tools.ffmpeg, [
    '-v',
    'error',
    '-y',
    ...stems.flatMap((s) => ['-i', path.join(song, 'stems', `${s}.wav`)]),
    '-filter_complex',
    `amix=inputs=${stems.length}:normalize=0`,
    paths.stem('instrumental'),
  ]);
  // The truth's words in order; its lyrics give the line breaks.
  const lines = truth.lyrics.split('\n').filter((l) => l.trim() !== '');
  let li = 0;
  let left = lines[0]?.trim().split(/\s+/).length ?? 0;
  const words = truth.words.map((w) => {
    while (left === 0 && li + 1 < lines.length) left = lines[++li].trim().split(/\s+/).length;
    left--;
    return { ...w, confidence: 1, line: li, flags: [] };
  });
  fs.writeFileSync(
    paths.transcription('transcription.json'),
    JSON.stringify({ language: 'en', words, segments: lines.map((text, id) => ({ id, text })) }),
  );
  fs.writeFileSync(
    paths.beats('beats.json'),
    JSON.stringify({
      beats: truth.beats.map((time, i) => ({ time, position: (i % 4) + 1 })),
      downbeats: truth.downbeats,
    }),
  );
}

/** CPU seconds of this process's waited-for children (utime + stime, clock ticks of 1/100 s). */
function childCpuS(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

interface Row {
  what: string;
  wallS: number;
  cpuS: number;
  mb: number;
}

async function timed(what: string, run: () => Promise<string>): Promise<Row> {
  const cpu0 = childCpuS();
  const t0 = performance.now();
  const file = await run();
  const wallS = (performance.now() - t0) / 1000;
  return { what, wallS, cpuS: childCpuS() - cpu0, mb: fs.statSync(file).size / 1e6 };
}

async function ours(size: VideoSize): Promise<string> {
  const p = parseVideoParams({ size, title: 'p99 long', artist: 'eval kit' });
  const files = await renderVideo(tools, paths, videoId(p), p, () => undefined);
  return path.join(dir, files.video);
}

/** The same picture with other encoder settings or without lyrics (ffmpeg run in `dir`). */
async function other(
  name: string,
  opts: { fps?: number; x264?: string[]; lyrics: boolean },
): Promise<string> {
  const [w, h] = VIDEO_SIZES['720p'];
  const assName = 'bench.ass';
  const t = await readTranscript(paths.transcription('transcription.json'));
  if (!t) throw new Error('no words');
  fs.writeFileSync(path.join(dir, assName), renderAss(t, { playResX: w, playResY: h, title: 'p99 long' }));
  const out = path.join(dir, `${name}.mp4`);
  const info = await probe(tools, paths.stem('instrumental'));
  await exec(
    tools.ffmpeg,
    videoArgs({
      audio: paths.stem('instrumental'),
      width: w,
      height: h,
      durationS: info?.durationS ?? truth.duration,
      ass: opts.lyrics ? assName : undefined,
      out,
      fps: opts.fps,
      x264: opts.x264,
    }),
    { cwd: dir, timeoutMs: 3_600_000 },
  );
  return out;
}

buildJob();
const load0 = os.loadavg()[0];
const rows: Row[] = [];
rows.push(await timed('ours, 720p (veryfast, stillimage, crf 23, 25 fps)', () => ours('720p')));
rows.push(
  await timed('x264 default preset (medium), crf 23, 30 fps, 720p', () =>
    other('medium30', { fps: 30, x264: ['-c:v', 'libx264', '-crf', '23'], lyrics: true }),
  ),
);
rows.push(await timed('ours without lyrics (encode floor), 720p', () => other('floor', { lyrics: false })));
rows.push(await timed('ours, 1080p', () => ours('1080p')));
rows.push(await timed('ours, 480p', () => ours('480p')));
const load1 = os.loadavg()[0];
const len = truth.duration;
console.log(
  `song: ${path.basename(song)}, ${len.toFixed(1)} s; ${os.cpus().length} cores; load ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
);
console.log('| render | wall | wall / song | ffmpeg CPU | CPU / song | MB |');
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.what} | ${r.wallS.toFixed(1)} s | ${(r.wallS / len).toFixed(3)} × | ${r.cpuS.toFixed(1)} s | ${(r.cpuS / len).toFixed(3)} × | ${r.mb.toFixed(1)} |`,
  );
fs.rmSync(work, { recursive: true, force: true });
