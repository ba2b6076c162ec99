import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { renderAss } from '../exports/ass.js';
import { exec, ExecError } from '../infra/exec.js';
import { probe, type MediaTools } from '../infra/ffmpeg.js';
import { moveInto, writeFileAtomic } from '../storage/files.js';
import type { JobPaths } from '../storage/paths.js';
import { VIDEO_SIZES, type VideoParams } from './params.js';
import { videoSources } from './sources.js';

/**
 * Renders a karaoke video with one ffmpeg run: a gradient background (one frame computed, then
 * repeated), the lyrics burned in by libass (`subtitles` filter) from the same ASS layout as
 * lyrics.ass at the frame's size, over the instrumental or a variant's audio. H.264 (yuv420p,
 * faststart) + AAC, written to a temp name and renamed, so a failed render leaves no MP4.
 */
export interface VideoFiles {
  video: string;
  ass: string;
}

/**
 * Encoder settings, chosen so a 720p render takes well under the song's length on 2 cores
 * (BENCHMARKS.md, "Karaoke video"): the picture is still apart from the lyrics, so a fast
 * preset with a still-image tune keeps text edges clean at a small size.
 */
export const VIDEO_FPS = 25;
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-crf', '23'];
const AAC = ['-c:a', 'aac', '-b:a', '192k'];
/** Dark blue at the bottom to black at the top (Y, Cb, Cr of each row). */
const BACKGROUND = "geq=lum='16+40*Y/H':cb='128+20*Y/H':cr='128+4*Y/H'";
const TIMEOUT_MS = 60 * 60 * 1000;
export const VIDEO_FILE = 'karaoke.mp4';
export const VIDEO_ASS_FILE = 'karaoke.ass';

export async function renderVideo(
  tools: MediaTools,
  paths: JobPaths,
  id: string,
  p: VideoParams,
  onProgress: (percent: number) => void,
  signal?: AbortSignal,
): Promise<VideoFiles> {
  const src = await videoSources(paths, p.variant);
  const info = await probe(tools, src.audio, signal);
  if (!info || !(info.durationS > 0))
    throw new AppError('BAD_AUDIO', 'the audio of the video cannot be read', 409);
  const [w, h] = VIDEO_SIZES[p.size];
  const dir = paths.videoDir(id);
  await fs.mkdir(dir, { recursive: true });
  const assFile = path.join(dir, VIDEO_ASS_FILE);
  const ass = renderAss(src.transcript ?? { language: null, source: 'aligned', words: [], lines: [] }, {
    title: p.title ?? undefined,
    artist: p.artist ?? undefined,
    playResX: w,
    playResY: h,
    grid: src.grid,
  });
  await writeFileAtomic(assFile, ass, { fsync: false });
  const out = path.join(dir, VIDEO_FILE);
  const tmp = path.join(dir, `.${VIDEO_FILE}.tmp.mp4`);
  const duration = info.durationS;
  try {
    await exec(
      tools.ffmpeg,
      videoArgs({
        audio: src.audio,
        width: w,
        height: h,
        durationS: duration,
        ass: VIDEO_ASS_FILE,
        out: tmp,
      }),
      {
        cwd: dir,
        timeoutMs: TIMEOUT_MS,
        signal,
        onStderr: progressReader(duration, (pc) => onProgress(Math.min(99, pc))),
      },
    );
    await moveInto(tmp, out, { replace: true });
  } catch (err) {
    await fs.rm(tmp, { force: true });
    if (err instanceof ExecError && /No such filter: 'subtitles'/.test(err.stderrTail))
      throw new AppError('NO_LIBASS', 'this ffmpeg has no libass (subtitles filter): install ffmpeg', 503);
    throw err;
  }
  onProgress(100);
  return { video: paths.rel(out), ass: paths.rel(assFile) };
}

export interface VideoArgs {
  audio: string;
  width: number;
  height: number;
  durationS: number;
  /** The ASS file, relative to ffmpeg's working directory (no path escaping in the filter); none: no lyrics. */
  ass?: string;
  out: string;
  fps?: number;
  x264?: readonly string[];
}

/** The ffmpeg argv of a render (exported for bench/video-bench.ts, which tries other settings). */
export function videoArgs(a: VideoArgs): string[] {
  const fps = a.fps ?? VIDEO_FPS;
  const graph = [
    `color=c=black:s=${a.width}x${a.height}:r=${fps}`,
    'trim=end_frame=1',
    BACKGROUND,
    'loop=loop=-1:size=1:start=0',
    `setpts=N/(${fps}*TB)`,
    ...(a.ass ? [`subtitles=f=${a.ass}`] : []),
    'format=yuv420p',
  ].join(',');
  return [
    '-nostdin',
    '-v',
    'error',
    '-nostats',
    '-progress',
    'pipe:2',
    '-y',
    '-i',
    a.audio,
    '-filter_complex',
    `${graph}[v]`,
    '-map',
    '[v]',
    '-map',
    '0:a:0',
    ...(a.x264 ?? X264),
    ...AAC,
    '-t',
    a.durationS.toFixed(3),
    '-movflags',
    '+faststart',
    a.out,
  ];
}

/** A stderr listener that turns ffmpeg's `-progress` lines (out_time_us=…) into percent of `totalS`. */
export function progressReader(
  totalS: number,
  onPercent: (percent: number) => void,
): (chunk: string) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) {
      const m = /^out_time_us=(\d+)/.exec(l);
      if (m && totalS > 0) onPercent(Math.max(0, Math.min(100, (100 * Number(m[1])) / 1e6 / totalS)));
    }
  };
}
