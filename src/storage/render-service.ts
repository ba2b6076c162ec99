import type { Logger } from 'pino';
import type { JobRecord } from '../domain/job.js';
import { AppError } from '../errors.js';
import type { JobPaths } from './paths.js';
import { RenderQueue, type RenderKind, type Renderer, type RenderState } from './render-queue.js';

/**
 * A render queue behind the checks a request must pass first: what the variant and the video
 * services share. A kind's service says which requests its job can serve (`admit`) and under which
 * id the rendering is cached; the queue does the rest (storage/render-queue.ts).
 */
export abstract class RenderService<P, F, R extends RenderState<P, F>> {
  private readonly queue: RenderQueue<P, F, R>;

  constructor(
    kind: RenderKind<P, F, R>,
    render: Renderer<P, F>,
    log: Logger,
    protected readonly pathsOf: (jobId: string) => JobPaths,
    maxQueued = 0,
  ) {
    this.queue = new RenderQueue(kind, render, log, pathsOf, maxQueued);
  }

  /** The rendering's id for these parameters, or an AppError when the job cannot serve them. */
  protected abstract admit(job: JobRecord, params: P): Promise<string>;

  async request(job: JobRecord, params: P): Promise<R> {
    const id = await this.admit(job, params);
    return this.queue.request(job.id, id, params);
  }

  /** Resolves when every requested rendering has been rendered (or failed). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  get(jobId: string, id: string): Promise<R> {
    return this.queue.get(jobId, id);
  }

  list(jobId: string): Promise<R[]> {
    return this.queue.list(jobId);
  }

  close(): void {
    this.queue.close();
  }
}

/** Anything rendered from the instrumental needs the job's stem separation finished. */
export function requireInstrumental(job: JobRecord, needs: string): void {
  if (job.stages.separation.status !== 'completed' || !job.stages.separation.outputs.instrumental)
    throw new AppError('NO_INSTRUMENTAL', `${needs} the job to have finished its stem separation`, 409);
}
