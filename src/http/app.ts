import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { installAuth } from './auth.js';
import { installErrorHandler } from './error-handler.js';
import { openApiOptions } from './openapi.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { variantRoutes } from './routes/variants.js';
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
    bodyLimit: 1024 * 1024,
    trustProxy: true,
  });
  installErrorHandler(app);
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
  if (config.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: '1 minute',
      allowList: (req) => req.url === '/health' || req.url === '/metrics',
      errorResponseBuilder: (_req, ctx) =>
        new AppError('RATE_LIMITED', `too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`, 429),
    });
  }
  await app.register(multipart, {
    limits: { fileSize: config.maxFileSize, files: 1, fieldSize: 1024 * 1024 },
  });
  await app.register(swagger, openApiOptions(services));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  installAuth(app, config.apiKeys);
  await app.register(healthRoutes(services));
  await app.register(processRoutes(services));
  await app.register(jobRoutes(services));
  await app.register(variantRoutes(services));
  await app.register(fileRoutes(services));
  await app.register(webRoutes());
  return app;
}
