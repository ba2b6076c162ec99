import type { Logger } from 'pino';
import type { JobRecord } from '../domain/job.js';
import { AppError } from '../errors.js';
import type { MediaTools } from '../infra/ffmpeg.js';
import { jobPaths, type JobPaths } from '../storage/paths.js';
import {
  readRenderRecords,
  type RenderKind,
  type Renderer,
  type RenderState,
  type RenderStatus,
} from '../storage/render-queue.js';
import { RenderService, requireInstrumental } from '../storage/render-service.js';
import { isVariantId, variantId, type VariantParams } from './params.js';
import { renderVariant, type VariantFiles } from './render.js';

/**
 * Instrumental variants of finished jobs, rendered on request and cached per parameters (the
 * life cycle is storage/render-queue.ts): the state of each is its variants/{id}/variant.json.
 */
export type VariantStatus = RenderStatus;

export interface VariantRecord extends RenderState<VariantParams, VariantFiles> {
  variant_id: string;
}

const VARIANTS: RenderKind<VariantParams, VariantFiles, VariantRecord> = {
  noun: 'variant',
  stateFile: 'variant.json',
  dir: (paths, id) => paths.variantDir(id),
  isId: isVariantId,
  idOf: (rec) => rec.variant_id,
  create: (state, id) => ({ variant_id: id, ...state }),
};

/**
 * The completed variants of a job, oldest first, read from their variant.json files (what the
 * results document lists; a queued or running one is not a result yet).
 */
export async function completedVariants(paths: JobPaths): Promise<VariantRecord[]> {
  return (await readRenderRecords(paths, VARIANTS)).filter((rec) => rec.status === 'completed');
}

export class VariantService extends RenderService<VariantParams, VariantFiles, VariantRecord> {
  constructor(
    storageDir: string,
    tools: MediaTools,
    log: Logger,
    /** MAX_QUEUED_RENDERS: renderings queued or running at once (0: no limit). */
    maxQueued = 0,
  ) {
    const render: Renderer<VariantParams, VariantFiles> = (paths, id, params, onProgress, signal) =>
      renderVariant(tools, paths, id, params, onProgress, signal);
    super(VARIANTS, render, log, (id) => jobPaths(storageDir, id), maxQueued);
  }

  protected admit(job: JobRecord, params: VariantParams): Promise<string> {
    requireInstrumental(job, 'variants need');
    if (params.vocal_db !== null && !job.stages.separation.outputs.vocals)
      throw new AppError('NO_VOCALS', 'a guide vocal needs the vocals stem', 409);
    return Promise.resolve(variantId(params));
  }
}
