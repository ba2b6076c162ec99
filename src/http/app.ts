import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppConfig } from '../config.js';
import type { Services } from '../container.js';
import { HTTP_BUCKETS_S } from '../infra/metrics.js';
import { installAccessControl } from './access.js';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './error-handler.js';
import { ClientSlots } from './client-slots.js';
import { installConnectionCap } from './connection-cap.js';
import { openApiOptions } from './openapi.js';
import { BODY_LIMIT_BYTES, installJsonBodyParser } from './json-body.js';
import { installMethodRules } from './methods.js';
import { installPipeliningLimit } from './pipelining.js';
import { installProtocolChecks, serverOptions } from './protocol.js';
import { rateLimitOptions } from './rate-limit.js';
import { installRequestHeadRules } from './request-head.js';
import { FIELD_SIZE_BYTES } from './upload.js';
import { installQueryRules } from './query.js';
import { installBodylessRule, installValidation, schemaErrorFormatter } from './validation.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { variantRoutes } from './routes/variants.js';
import { videoRoutes } from './routes/video.js';
import { processRoutes } from './routes/process.js';
import { webRoutes } from './routes/web.js';

/**
 * Builds the HTTP app without listening (tests call `app.inject`); server.ts listens.
 * Every route has a schema; /docs serves the OpenAPI document and Swagger UI.
 */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    loggerInstance: services.log as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // X-Forwarded-For is believed only from the proxies TRUST_PROXY names (off by default).
    trustProxy: trustProxySetting(config.security.trustProxy),
    schemaErrorFormatter,
    frameworkErrors,
    clientErrorHandler,
    ...serverOptions(config.security.requestTimeoutS),
  });
  installErrorHandler(app);
  installProtocolChecks(app, config.security);
  installPipeliningLimit(app);
  installConnectionCap(app, config.security);
  installMethodRules(app);
  installRequestHeadRules(app);
  installValidation(app);
  installBodylessRule(app);
  installJsonBodyParser(app);
  installHttpMetrics(app, services);
  await app.register(helmet, {
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      exposedHeaders: ['Content-Range', 'Accept-Ranges', 'Content-Length'],
    });
  }
  // The limiter is registered before access control, so its per-route hook runs first and
  // requests with a wrong or no key use up the client address's budget.
  if (config.rateLimitPerMinute > 0) await app.register(rateLimit, rateLimitOptions(app, config));
  installAccessControl(app, config);
  installQueryRules(app);
  await app.register(multipart, {
    limits: { fileSize: config.maxFileSize, files: 1, fieldSize: FIELD_SIZE_BYTES },
  });
  await app.register(swagger, openApiOptions(services));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  const { security } = config;
  const gate = new ClientSlots('uploads', security.maxConcurrentUploads, security.maxUploadsPerClient);
  const streams = new ClientSlots(
    'event streams',
    security.maxEventStreams,
    security.maxEventStreamsPerClient,
  );
  await app.register(healthRoutes(services));
  await app.register(processRoutes(services, gate));
  await app.register(jobRoutes(services, streams));
  await app.register(variantRoutes(services));
  await app.register(videoRoutes(services));
  await app.register(fileRoutes(services));
  await app.register(webRoutes());
  return app;
}

/** Latency of every answered request, by route pattern (never the raw URL: bounded labels). */
function installHttpMetrics(app: FastifyInstance, services: Services): void {
  const seconds = services.metrics.histogram(
    'karaoke_http_request_duration_seconds',
    'HTTP request latency by method, route and status code',
    ['method', 'route', 'status_code'],
    HTTP_BUCKETS_S,
  );
  app.addHook('onResponse', async (request, reply) => {
    seconds(reply.elapsedTime / 1000, {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    });
  });
}

function trustProxySetting(
  t: AppConfig['security']['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (t === false) return false;
  // A hop count: the nearest `t` addresses in the chain are our proxies.
  return typeof t === 'number' ? (_address, hop) => hop < t : [...t];
}
