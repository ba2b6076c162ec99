import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { loadOwnedJob } from '../job-lookup.js';
import { jobUrls, type JobUrls } from '../signed-urls.js';
import { errorResponses, JobIdParams, NullableNumber, StringEnum } from '../schemas.js';
import {
  parseVariantParams,
  SEMITONES_MAX,
  TEMPO_MAX,
  TEMPO_MIN,
  VARIANT_FORMATS,
  VOCAL_DB_MIN,
} from '../../variants/params.js';
import { VariantService, type VariantRecord } from '../../variants/service.js';

/**
 * Instrumental variants: key shift, tempo change and a guide vocal, rendered on request and
 * cached per parameters. Jobs are loaded through loadOwnedJob (ownership) like every /api/jobs/{id} route.
 */
const VariantBody = Type.Object(
  {
    semitones: Type.Optional(Type.Integer({ minimum: -SEMITONES_MAX, maximum: SEMITONES_MAX, default: 0 })),
    tempo: Type.Optional(Type.Number({ minimum: TEMPO_MIN, maximum: TEMPO_MAX, default: 1 })),
    vocal_db: Type.Optional(
      NullableNumber({
        minimum: VOCAL_DB_MIN,
        maximum: 0,
        description: 'the lead vocal mixed in at this level (dB), for a guide; null or absent: none',
      }),
    ),
    format: Type.Optional(StringEnum(VARIANT_FORMATS)),
  },
  { additionalProperties: false },
);

const VariantParamsView = Type.Object({
  semitones: Type.Integer(),
  tempo: Type.Number(),
  vocal_db: Type.Union([Type.Number(), Type.Null()]),
  format: Type.String(),
});

const VariantView = Type.Object({
  variant_id: Type.String(),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
  ]),
  progress: Type.Number(),
  params: VariantParamsView,
  files: Type.Object({
    instrumental: Type.Optional(Type.String({ description: 'download URL' })),
    transcription: Type.Optional(Type.String({ description: 'words re-timed for the tempo change' })),
    beats: Type.Optional(Type.String()),
    ass: Type.Optional(Type.String()),
  }),
  error: Type.Optional(Type.String()),
  links: Type.Object({ self: Type.String() }),
});

const VariantParamsRoute = Type.Object({
  job_id: Type.String({ format: 'uuid' }),
  variant_id: Type.String({ pattern: '^v-[0-9a-f]{16}$' }),
});
type VariantParamsRoute = Static<typeof VariantParamsRoute>;

/** The API view of a variant; file URLs are signed when keys are on (like every file URL). */
export function variantView(rec: VariantRecord, urls: JobUrls): Static<typeof VariantView> {
  const url = (rel: string | undefined) => (rel ? urls.file(rec.job_id, rel) : undefined);
  const files: Record<string, string> = {};
  for (const [k, rel] of Object.entries(rec.files)) {
    const u = url(rel);
    if (u) files[k] = u;
  }
  return {
    variant_id: rec.variant_id,
    status: rec.status,
    progress: rec.progress,
    params: rec.params,
    files,
    ...(rec.error ? { error: rec.error } : {}),
    links: { self: `/api/jobs/${rec.job_id}/variants/${rec.variant_id}` },
  };
}

export function variantRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const urls = jobUrls(services.config);
    const variants = new VariantService(
      services.config.storageDir,
      services.media,
      services.log,
      services.config.security.maxQueuedRenders,
    );
    app.addHook('onClose', async () => {
      variants.close();
      await variants.idle();
    });

    app.post(
      '/api/jobs/:job_id/variants',
      {
        schema: {
          operationId: 'requestVariant',
          description:
            'A new set of parameters is queued for rendering (one at a time); past MAX_QUEUED_RENDERS queued or rendering, a new one is 503 RENDER_QUEUE_FULL with Retry-After.',
          summary:
            'Request an instrumental variant (key shift, tempo, guide vocal, format); cached per parameters',
          tags: ['variants'],
          params: JobIdParams,
          body: VariantBody,
          response: { 202: VariantView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        const rec = await variants.request(job, parseVariantParams(request.body));
        return reply.code(202).send(variantView(rec, urls));
      },
    );

    app.get(
      '/api/jobs/:job_id/variants',
      {
        schema: {
          operationId: 'listVariants',
          summary: 'Variants of a job',
          tags: ['variants'],
          params: JobIdParams,
          response: { 200: Type.Object({ variants: Type.Array(VariantView) }), ...errorResponses },
        },
      },
      async (request) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        return { variants: (await variants.list(job.id)).map((r) => variantView(r, urls)) };
      },
    );

    app.get(
      '/api/jobs/:job_id/variants/:variant_id',
      {
        schema: {
          operationId: 'getVariant',
          summary: 'A variant: status, progress and files',
          tags: ['variants'],
          params: VariantParamsRoute,
          response: { 200: VariantView, ...errorResponses },
        },
      },
      async (request) => {
        const params = request.params;
        const job = await loadOwnedJob(services, request, params.job_id);
        return variantView(await variants.get(job.id, params.variant_id), urls);
      },
    );
  };
}
