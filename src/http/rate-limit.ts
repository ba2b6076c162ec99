import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.js';
import { AppError } from '../errors.js';
import { createRedisClient } from '../infra/redis.js';
import { presentedKey, principalFromKey } from './access.js';

/**
 * RATE_LIMIT requests per minute, counted per key when the request carries a valid key and per
 * client address otherwise (so guessing keys spends the guesser's budget, and a made-up key
 * does not open a fresh one). The client address is the socket's unless TRUST_PROXY names the
 * proxies whose X-Forwarded-For may be believed. In distributed mode the counters live in
 * Redis, so every API process shares one budget. /health and /metrics are not limited.
 */
export function rateLimitOptions(app: FastifyInstance, config: AppConfig): RateLimitPluginOptions {
  const redis = config.redis
    ? createRedisClient(config.redis.url, 'command', 'karaoke:rate-limit')
    : undefined;
  if (redis) app.addHook('onClose', async () => redis.disconnect());
  return {
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req) => rateLimitKey(config, req),
    allowList: (req) => req.routeOptions.url === '/health' || req.routeOptions.url === '/metrics',
    ...(redis ? { redis, nameSpace: 'karaoke-rate-limit:' } : {}),
    errorResponseBuilder: (_req, ctx) =>
      new AppError('RATE_LIMITED', `too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`, 429),
  };
}

export function rateLimitKey(config: AppConfig, req: FastifyRequest): string {
  const who = principalFromKey(config, presentedKey(req));
  if (who.kind === 'key') return `key:${who.owner}`;
  if (who.kind === 'admin') return 'admin';
  return `ip:${req.ip}`;
}
