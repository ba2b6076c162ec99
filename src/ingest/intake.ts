/**
 * @file Turn a file into a queued job: validate it, move it into a fresh job directory as
 * original.<ext>, create the record and hand it to the pipeline. If validation fails the
 * file is removed (when it was ours to move) and nothing is created.
 */

import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AppConfig } from '../config.js';
import { newJobRecord, type JobRecord } from '../domain/job.js';
import type { JobOptions } from '../domain/stage.js';
import type { MediaTools } from '../infra/ffmpeg.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { moveInto } from '../storage/files.js';
import { jobPaths } from '../storage/paths.js';
import { validateAudioFile } from './validate.js';

export interface IntakeDeps {
  config: AppConfig;
  media: MediaTools;
  pipeline: Pipeline;
}

export async function intakeFile(
  deps: IntakeDeps,
  input: {
    file: string;
    filename: string;
    options: JobOptions;
    warnings?: string[];
    move: boolean;
    id?: string;
    /** Hash of the creating key (http/access.ts). */
    owner?: string;
    webhookUrl?: string;
  },
): Promise<JobRecord> {
  let audio;
  try {
    audio = await validateAudioFile(input.file, input.filename, deps.config, deps.media);
  } catch (err) {
    if (input.move) await fs.rm(input.file, { force: true });
    throw err;
  }
  const id = input.id ?? randomUUID();
  const paths = jobPaths(deps.config.storageDir, id);
  await fs.mkdir(paths.dir, { recursive: true });
  try {
    if (input.move) await moveInto(input.file, paths.original(audio.ext));
    else await fs.copyFile(input.file, paths.original(audio.ext));
    const job = newJobRecord({
      id,
      originalFilename: input.filename,
      fileExt: audio.ext,
      fileSize: audio.sizeBytes,
      audioDuration: Math.round(audio.durationS * 1000) / 1000,
      options: input.options,
      owner: input.owner,
      webhookUrl: input.webhookUrl,
    });
    job.warnings.push(...audio.warnings, ...(input.warnings ?? []));
    await deps.pipeline.submit(job);
    return job;
  } catch (err) {
    await fs.rm(paths.dir, { recursive: true, force: true });
    throw err;
  }
}
