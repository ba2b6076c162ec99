import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { numberArg } from './args.js';
import { AppError } from '../errors.js';
import { AUDIO_FORMATS } from '../infra/audio-formats.js';
import { findMediaTools } from '../infra/ffmpeg.js';
import { jobPaths } from '../storage/paths.js';
import { readableStem } from '../storage/stems.js';
import { parseVariantParams, variantId } from '../variants/params.js';
import { renderVariant } from '../variants/render.js';

/**
 * `karaoke variant <job-dir> --semitones -2 --tempo 0.9 [--vocal-db -12] [--format flac]`: an
 * instrumental variant of a processed song (a `karaoke process --out` directory or a service
 * job directory), written to <job-dir>/variants/<variant_id>/. Exit 0 = written, 2 = bad input,
 * 1 = failed.
 */
export function variantCommand(program: Command): void {
  program
    .command('variant')
    .description('Render an instrumental variant: key shift, tempo change, guide vocal, format')
    .argument('<job-dir>', 'directory written by `karaoke process --out`')
    .option('--semitones <n>', 'key shift, -6..6', numberArg, 0)
    .option('--tempo <x>', 'tempo factor, 0.5..1.5', numberArg, 1)
    .option('--vocal-db <db>', 'mix the lead vocal in at this level (e.g. -12)', numberArg)
    .option('--format <f>', AUDIO_FORMATS.join(' | '), 'wav')
    .action(
      async (dir: string, o: { semitones: number; tempo: number; vocalDb?: number; format: string }) => {
        try {
          const params = parseVariantParams({
            semitones: o.semitones,
            tempo: o.tempo,
            vocal_db: o.vocalDb ?? null,
            format: o.format,
          });
          const paths = jobPaths(path.resolve(dir));
          if (!(await readableStem(paths, 'instrumental')))
            throw new AppError(
              'NO_INSTRUMENTAL',
              `${dir} has no stems/instrumental.wav: run karaoke process first`,
              400,
            );
          const id = variantId(params);
          let last = -10;
          const files = await renderVariant(
            findMediaTools(loadConfig().searchPath),
            paths,
            id,
            params,
            (p) => {
              if (p - last >= 10 || p === 100) {
                last = p;
                process.stderr.write(`variant ${id}: ${Math.round(p)}%\n`);
              }
            },
          );
          process.stdout.write(`${JSON.stringify({ variant_id: id, params, files }, null, 2)}\n`);
        } catch (err) {
          process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
          process.exitCode = err instanceof AppError && err.status < 500 ? 2 : 1;
        }
      },
    );
}
