import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { ENGINE_QUALITIES } from '../../domain/stage.js';
import { StringEnum } from '../schemas.js';
import { engineViews } from '../../engines/index.js';
import { providerReport } from '../../engines/separation/provider.js';

const EngineView = Type.Object({
  name: Type.String({ description: 'what SEPARATION_ENGINE / separation_engine accept' }),
  engine: Type.String({ description: 'the engine name results carry' }),
  version: Type.String(),
  quality: StringEnum(ENGINE_QUALITIES),
  licence: Type.Union([Type.String(), Type.Null()]),
  exclusive: Type.Boolean({ description: 'one song at a time per loaded model' }),
});
import { decoderReport } from '../../ingest/decoders.js';
import { intakeRefusal } from '../intake-gate.js';

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
    onnx_provider: Type.Optional(
      Type.Object(
        {
          requested: StringEnum(['cpu', 'cuda'] as const, { description: 'ONNX_PROVIDER' }),
          active: Type.Union([StringEnum(['cpu', 'cuda'] as const), Type.Null()], {
            description:
              'the provider the loaded htdemucs model runs on (null: not loaded in this process yet, or failed)',
          }),
          status: StringEnum(['ok', 'degraded'] as const),
          message: Type.Optional(Type.String({ description: 'why the requested provider cannot run' })),
        },
        { description: 'which onnxruntime execution provider runs the separation model' },
      ),
    ),
    decoders: Type.Object(
      {
        webassembly: Type.Record(Type.String(), Type.String(), {
          description: 'format → WebAssembly decoder package (no subprocess)',
        }),
        ffmpeg: Type.Object({
          path: Type.String(),
          bundled: Type.Boolean({
            description: 'true: the 2018 build inside @ffmpeg-installer, not the system one',
          }),
          used_for_uploads: Type.Boolean(),
          note: Type.Optional(Type.String()),
        }),
      },
      { description: 'which decoder reads which upload format' },
    ),
    reasons: Type.Optional(
      Type.Array(Type.Object({ code: Type.String(), message: Type.String() }), {
        description: 'Why the service is degraded (e.g. uploads would be refused: disk, Redis, full queues)',
      }),
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
        config: { access: 'public' },
      },
      async (_request, reply) => {
        const h = await services.backends.health();
        const active = Object.values(h.queues).reduce((n, q) => n + q.active, 0);
        // Uploads refused for a reason that will not pass by itself on the next try: degraded.
        const refusal = await intakeRefusal(services);
        const reasons = refusal ? [{ code: refusal.code, message: refusal.message }] : [];
        const provider = providerReport(services.config.onnxProvider);
        if (provider.status === 'degraded')
          reasons.push({
            code: 'onnx_provider_unavailable',
            message: provider.message ?? 'provider unavailable',
          });
        const ok = h.ok && reasons.length === 0;
        const body = {
          status: ok ? ('ok' as const) : ('degraded' as const),
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
          onnx_provider: provider,
          decoders: decoderReport(services.media, services.config),
          ...(reasons.length > 0 ? { reasons } : {}),
        };
        return reply.status(ok ? 200 : 503).send(body);
      },
    );
    app.get(
      '/metrics',
      {
        schema: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics (needs METRICS_KEY when that is set)',
          tags: ['service'],
          response: {
            200: {
              description: 'the Prometheus text exposition format',
              content: { 'text/plain': { schema: Type.String() } },
            },
          },
        },
        config: { access: 'metrics' },
      },
      async (_request, reply) => {
        return reply.type(services.metrics.contentType).send(await services.metrics.render());
      },
    );
  };
}
