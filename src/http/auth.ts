import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * Optional API keys (API_KEYS): every /api route then needs `x-api-key: KEY` or
 * `Authorization: Bearer KEY` (or `?api_key=KEY`, for EventSource and <audio> elements that
 * cannot set headers). /health, /metrics, /docs and the web page stay open.
 */
export function installAuth(app: FastifyInstance, keys: readonly string[]): void {
  if (keys.length === 0) return;
  const buffers = keys.map((k) => Buffer.from(k));
  const valid = (candidate: string | undefined) => {
    if (!candidate) return false;
    const c = Buffer.from(candidate);
    return buffers.some((b) => b.length === c.length && timingSafeEqual(b, c));
  };
  app.addHook('onRequest', async (request, reply) => {
    if (!isProtectedUrl(request.url)) return;
    const header = request.headers['x-api-key'];
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const query = (request.query as Record<string, string | undefined> | undefined)?.api_key;
    if (valid(typeof header === 'string' ? header : undefined) || valid(bearer) || valid(query)) return;
    return reply
      .status(401)
      .send({ error: { code: 'UNAUTHORIZED', message: 'a valid API key is required' } });
  });
}

/** The routes that need a key when keys are on (the OpenAPI document marks the others open). */
export function isProtectedUrl(url: string): boolean {
  return url.startsWith('/api/');
}
