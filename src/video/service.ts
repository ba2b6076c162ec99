import type { Logger } from 'pino';
import type { JobRecord } from '../domain/job.js';
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

export class VideoService extends RenderService<VideoParams, VideoFiles, VideoRecord> {
  constructor(
    storageDir: string,
    tools: MediaTools,
    log: Logger,
    /** MAX_QUEUED_RENDERS: renderings queued or running at once (0: no limit). */
    maxQueued = 0,
  ) {
    const render: Renderer<VideoParams, VideoFiles> = (paths, id, params, onProgress, signal) =>
      renderVideo(tools, paths, id, params, onProgress, signal);
    super(VIDEOS, render, log, (id) => jobPaths(storageDir, id), maxQueued);
  }

  protected async admit(job: JobRecord, params: VideoParams): Promise<string> {
    requireInstrumental(job, 'a video needs');
    // A variant that is not rendered (or not this job's) is refused now, not when the render starts.
    await videoSources(this.pathsOf(job.id), params.variant);
    return videoId(params);
  }
}
