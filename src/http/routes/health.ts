import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { ENGINE_QUALITIES } from '../../domain/stage.js';
import { StringEnum } from '../schemas.js';
import { engineViews } from '../../engines/index.js';

const EngineView = Type.Object({
  name: Type.String({ description: 'what SEPARATION_ENGINE / separation_engine accept' }),
  engine: Type.String({ description: 'the engine name results carry' }),
  version: Type.String(),
  quality: StringEnum(ENGINE_QUALITIES),
  licence: Type.Union([Type.String(), Type.Null()]),
  exclusive: Type.Boolean({ description: 'one song at a time per loaded model' }),
});
import { decoderReport } from '../../ingest/decoders.js';

const HealthView = Type.Object(
  {
    status: StringEnum(['ok', 'degraded'] as const),
    version: Type.String(),
    mode: StringEnum(['embedded', 'distributed'] as const),
    uptime_s: Type.Number(),
    redis: Type.Optional(Type.Object({ connected: Type.Boolean(), error: Type.Optional(Type.String()) })),
    workers: Type.Record(Type.String(), Type.Number()),
    queues: Type.Record(Type.String(), Type.Object({ waiting: Type.Number(), active: Type.Number() })),
    active_jobs: Type.Number(),
    engines: Type.Object({ separation: Type.Array(EngineView) }, { description: 'the engine tables' }),
    decoders: Type.Object(
      {
        webassembly: Type.Record(Type.String(), Type.String(), {
          description: 'format → WebAssembly decoder package (no subprocess)',
        }),
        ffmpeg: Type.Object({
          path: Type.String(),
          bundled: Type.Boolean({ description: 'true: the 2018 build inside @ffmpeg-installer, not the system one' }),
          used_for_uploads: Type.Boolean(),
          note: Type.Optional(Type.String()),
        }),
      },
      { description: 'which decoder reads which upload format' },
    ),
  },
  { additionalProperties: true },
);

export function healthRoutes(services: Services): FastifyPluginAsyncTypebox {
  const started = Date.now();
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          operationId: 'getHealth',
          summary: 'Service health: run mode, Redis, workers, queue lengths',
          tags: ['service'],
          response: { 200: HealthView, 503: HealthView },
        },
      },
      async (_request, reply) => {
        const h = await services.backends.health();
        const active = Object.values(h.queues).reduce((n, q) => n + q.active, 0);
        const body = {
          status: h.ok ? ('ok' as const) : ('degraded' as const),
          version: services.appVersion,
          mode: h.mode,
          uptime_s: Math.round((Date.now() - started) / 1000),
          ...(h.redis
            ? { redis: { connected: h.redis.connected, ...(h.redis.error ? { error: h.redis.error } : {}) } }
            : {}),
          workers: h.workers,
          queues: h.queues,
          active_jobs: active,
          engines: engineViews(),
          decoders: decoderReport(services.media, services.config),
        };
        return reply.status(h.ok ? 200 : 503).send(body);
      },
    );
    app.get(
      '/metrics',
      {
        schema: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics',
          tags: ['service'],
          response: {
            200: {
              description: 'the Prometheus text exposition format',
              content: { 'text/plain': { schema: Type.String() } },
            },
          },
        },
      },
      async (_request, reply) => {
        return reply.type('text/plain; version=0.0.4').send(await services.metrics.render());
      },
    );
  };
}
