import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { loadOwnedJob } from '../job-lookup.js';
import { jobUrls, type JobUrls } from '../signed-urls.js';
import { errorResponses, JobIdParams, StringEnum } from '../schemas.js';
import { DEFAULT_VIDEO_SIZE, parseVideoParams, TITLE_MAX, VIDEO_SIZE_NAMES } from '../../video/params.js';
import { VideoService, type VideoRecord } from '../../video/service.js';

/**
 * Karaoke videos: the instrumental (or a variant) with the lyrics burned in by libass, rendered
 * on request and cached per parameters. Jobs are loaded through loadOwnedJob (ownership) like
 * every /api/jobs/{id} route; the MP4 is served by the files route (Range requests, signed URLs).
 */
const VideoBody = Type.Object(
  {
    variant: Type.Optional(
      Type.Union([
        Type.String({ pattern: '^v-[0-9a-f]{16}$', description: 'a completed variant id' }),
        Type.Null(),
      ]),
    ),
    size: Type.Optional(StringEnum(VIDEO_SIZE_NAMES, { default: DEFAULT_VIDEO_SIZE })),
    title: Type.Optional(Type.Union([Type.String({ maxLength: TITLE_MAX }), Type.Null()])),
    artist: Type.Optional(Type.Union([Type.String({ maxLength: TITLE_MAX }), Type.Null()])),
  },
  { additionalProperties: false },
);

const VideoView = Type.Object({
  video_id: Type.String(),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
  ]),
  progress: Type.Number(),
  params: Type.Object({
    variant: Type.Union([Type.String(), Type.Null()]),
    size: Type.String(),
    title: Type.Union([Type.String(), Type.Null()]),
    artist: Type.Union([Type.String(), Type.Null()]),
  }),
  files: Type.Object({
    video: Type.Optional(Type.String({ description: 'download URL of the MP4 (H.264 + AAC)' })),
    ass: Type.Optional(Type.String({ description: 'the ASS subtitles burned in, at the frame size' })),
  }),
  error: Type.Optional(Type.String()),
  links: Type.Object({ self: Type.String() }),
});

const VideoParamsRoute = Type.Object({
  job_id: Type.String({ format: 'uuid' }),
  video_id: Type.String({ pattern: '^vid-[0-9a-f]{16}$' }),
});

/** The API view of a video; file URLs are signed when keys are on (like every file URL). */
export function videoView(rec: VideoRecord, urls: JobUrls): Static<typeof VideoView> {
  const files: Record<string, string> = {};
  for (const [k, rel] of Object.entries(rec.files)) if (rel) files[k] = urls.file(rec.job_id, rel);
  return {
    video_id: rec.video_id,
    status: rec.status,
    progress: rec.progress,
    params: rec.params,
    files,
    ...(rec.error ? { error: rec.error } : {}),
    links: { self: `/api/jobs/${rec.job_id}/video/${rec.video_id}` },
  };
}

export function videoRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const urls = jobUrls(services.config);
    const videos = new VideoService(
      services.config.storageDir,
      services.media,
      services.log,
      services.config.security.maxQueuedRenders,
    );
    app.addHook('onClose', async () => {
      videos.close();
      await videos.idle();
    });

    app.post(
      '/api/jobs/:job_id/video',
      {
        schema: {
          operationId: 'requestVideo',
          description:
            'A new set of parameters is queued for rendering (one at a time); past MAX_QUEUED_RENDERS queued or rendering, a new one is 503 RENDER_QUEUE_FULL with Retry-After.',
          summary: 'Request a karaoke video (MP4) of the instrumental or a variant; cached per parameters',
          tags: ['video'],
          params: JobIdParams,
          body: VideoBody,
          response: { 202: VideoView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        const rec = await videos.request(job, parseVideoParams(request.body));
        return reply.code(202).send(videoView(rec, urls));
      },
    );

    app.get(
      '/api/jobs/:job_id/video',
      {
        schema: {
          operationId: 'listVideos',
          summary: 'Karaoke videos of a job',
          tags: ['video'],
          params: JobIdParams,
          response: { 200: Type.Object({ videos: Type.Array(VideoView) }), ...errorResponses },
        },
      },
      async (request) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        return { videos: (await videos.list(job.id)).map((r) => videoView(r, urls)) };
      },
    );

    app.get(
      '/api/jobs/:job_id/video/:video_id',
      {
        schema: {
          operationId: 'getVideo',
          summary: 'A karaoke video: status, progress and files',
          tags: ['video'],
          params: VideoParamsRoute,
          response: { 200: VideoView, ...errorResponses },
        },
      },
      async (request) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        return videoView(await videos.get(job.id, request.params.video_id), urls);
      },
    );
  };
}
