import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { numberArg } from './args.js';
import { AppError, InputError } from '../errors.js';
import { findMediaTools, type MediaTools } from '../infra/ffmpeg.js';
import { moveInto } from '../storage/files.js';
import { jobPaths, type JobPaths } from '../storage/paths.js';
import { readableStem } from '../storage/stems.js';
import { parseVariantParams, variantId } from '../variants/params.js';
import { renderVariant } from '../variants/render.js';
import { parseVideoParams, videoId, VIDEO_SIZE_NAMES } from '../video/params.js';
import { renderVideo } from '../video/render.js';

/**
 * `karaoke render <job-dir> [--variant ID | --semitones N --tempo X --vocal-db DB] [--size 720p]
 * [--title T --artist A] [--out file.mp4]`: a karaoke video of a processed song, written to
 * <job-dir>/video/<video_id>/karaoke.mp4 (and copied to --out). Key/tempo options render that
 * variant first (or reuse it when its directory already holds it). Exit 0 = written,
 * 2 = bad input, 1 = failed.
 */
interface RenderOptions {
  variant?: string;
  semitones?: number;
  tempo?: number;
  vocalDb?: number;
  size: string;
  title?: string;
  artist?: string;
  out?: string;
}

export function renderCommand(program: Command): void {
  program
    .command('render')
    .description('Render a karaoke video (MP4): the instrumental or a variant with the lyrics burned in')
    .argument('<job-dir>', 'directory written by `karaoke process --out`')
    .option('--variant <id>', 'play this variant (a variants/<id>/ directory of the job)')
    .option('--semitones <n>', 'play a key-shifted variant, -6..6 (rendered if needed)', numberArg)
    .option('--tempo <x>', 'play a tempo variant, 0.5..1.5, with its re-timed lyrics', numberArg)
    .option('--vocal-db <db>', 'mix the lead vocal in at this level (a guide)', numberArg)
    .option('--size <size>', VIDEO_SIZE_NAMES.join(' | '), '720p')
    .option('--title <text>', 'title card: the song title')
    .option('--artist <text>', 'title card: the artist')
    .option('--out <file>', 'also write the MP4 here')
    .action(async (dir: string, o: RenderOptions) => {
      try {
        const paths = jobPaths(path.resolve(dir));
        const tools = findMediaTools(loadConfig().searchPath);
        const variant = await variantFor(tools, paths, o);
        const params = parseVideoParams({ variant, size: o.size, title: o.title, artist: o.artist });
        const id = videoId(params);
        let last = -10;
        const files = await renderVideo(tools, paths, id, params, (p) => {
          if (p - last >= 10 || p === 100) {
            last = p;
            process.stderr.write(`video ${id}: ${Math.round(p)}%\n`);
          }
        });
        let out: string | undefined;
        if (o.out) {
          out = path.resolve(o.out);
          const tmp = `${out}.tmp`;
          await fs.copyFile(path.join(paths.dir, files.video), tmp);
          await moveInto(tmp, out, { replace: true });
        }
        process.stdout.write(
          `${JSON.stringify({ video_id: id, params, files, ...(out ? { out } : {}) }, null, 2)}\n`,
        );
      } catch (err) {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = err instanceof AppError && err.status < 500 ? 2 : 1;
      }
    });
}

/** The variant the video plays: --variant as given, or the one --semitones/--tempo/--vocal-db name. */
async function variantFor(tools: MediaTools, paths: JobPaths, o: RenderOptions): Promise<string | null> {
  const shaped = o.semitones !== undefined || o.tempo !== undefined || o.vocalDb !== undefined;
  if (o.variant !== undefined && shaped)
    throw new InputError('BAD_VIDEO', 'give either --variant or --semitones/--tempo/--vocal-db, not both');
  if (o.variant !== undefined) return o.variant;
  if (!shaped) return null;
  const params = parseVariantParams({
    semitones: o.semitones ?? 0,
    tempo: o.tempo ?? 1,
    vocal_db: o.vocalDb ?? null,
    format: 'wav',
  });
  const id = variantId(params);
  const done = await fs
    .access(path.join(paths.variantDir(id), 'instrumental.wav'))
    .then(() => true)
    .catch(() => false);
  if (!done) {
    if (!(await readableStem(paths, 'instrumental')))
      throw new InputError(
        'NO_INSTRUMENTAL',
        `${paths.dir} has no stems/instrumental.wav: run karaoke process first`,
      );
    await renderVariant(tools, paths, id, params, (p) => {
      if (p === 100) process.stderr.write(`variant ${id}: 100%\n`);
    });
  }
  return id;
}
