import type { Logger } from 'pino';
import type { JobRecord } from '../domain/job.js';
import { AppError } from '../errors.js';
import type { MediaTools } from '../infra/ffmpeg.js';
import { jobPaths, type JobPaths } from '../storage/paths.js';
import {
  readRenderRecords,
  RenderQueue,
  type RenderKind,
  type Renderer,
  type RenderState,
  type RenderStatus,
} from '../storage/render-queue.js';
import { isVideoId, videoId, type VideoParams } from './params.js';
import { renderVideo, type VideoFiles } from './render.js';
import { videoSources } from './sources.js';

/**
 * Karaoke videos of finished jobs, rendered on request and cached per parameters (the same life
 * cycle as variants: storage/render-queue.ts): the state of each is its video/{id}/video.json.
 */
export type VideoStatus = RenderStatus;

export interface VideoRecord extends RenderState<VideoParams, VideoFiles> {
  video_id: string;
}

const VIDEOS: RenderKind<VideoParams, VideoFiles, VideoRecord> = {
  noun: 'video',
  stateFile: 'video.json',
  dir: (paths, id) => paths.videoDir(id),
  isId: isVideoId,
  idOf: (rec) => rec.video_id,
  create: (state, id) => ({ video_id: id, ...state }),
};

/** The video records of a job directory as stored (results read them without a service). */
export function readVideoRecords(paths: JobPaths): Promise<VideoRecord[]> {
  return readRenderRecords(paths, VIDEOS);
}

export class VideoService {
  private readonly queue: RenderQueue<VideoParams, VideoFiles, VideoRecord>;

  constructor(
    private readonly storageDir: string,
    tools: MediaTools,
    log: Logger,
  ) {
    const render: Renderer<VideoParams, VideoFiles> = (paths, id, params, onProgress, signal) =>
      renderVideo(tools, paths, id, params, onProgress, signal);
    this.queue = new RenderQueue(VIDEOS, render, log, (id) => jobPaths(storageDir, id));
  }

  async request(job: JobRecord, params: VideoParams): Promise<VideoRecord> {
    if (job.stages.separation.status !== 'completed' || !job.stages.separation.outputs.instrumental)
      throw new AppError(
        'NO_INSTRUMENTAL',
        'a video needs the job to have finished its stem separation',
        409,
      );
    // A variant that is not rendered (or not this job's) is refused now, not when the render starts.
    await videoSources(jobPaths(this.storageDir, job.id), params.variant);
    return this.queue.request(job.id, videoId(params), params);
  }

  /** Resolves when every requested video has been rendered (or failed). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  get(jobId: string, id: string): Promise<VideoRecord> {
    return this.queue.get(jobId, id);
  }

  list(jobId: string): Promise<VideoRecord[]> {
    return this.queue.list(jobId);
  }

  close(): void {
    this.queue.close();
  }
}
