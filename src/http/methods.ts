import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorBody } from './error-handler.js';

/**
 * Requests on a path the API has, with a method it lacks there: 405 Method Not Allowed with an
 * `Allow` header (RFC 9110 §15.5.6) instead of the 404 an unknown path gets, in the same error
 * body. OPTIONS on such a path is answered 204 with `Allow` (a CORS preflight is answered by
 * the CORS plugin first, when CORS_ORIGINS is set). HEAD is allowed wherever GET is.
 */
interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

export function installMethodRules(app: FastifyInstance): void {
  const known = new Map<string, KnownPath>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const entry = known.get(route.url) ?? { pattern: patternOf(route.url), methods: new Set<string>() };
    for (const m of [route.method].flat()) entry.methods.add(m);
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
    known.set(route.url, entry);
  });
  // onRequest runs for unmatched requests too, before any body is read.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = decodedPath(request.url);
    const methods = new Set<string>();
    for (const k of known.values()) if (k.pattern.test(path)) for (const m of k.methods) methods.add(m);
    if (methods.size === 0) return; // an unknown path: the 404 handler answers
    methods.add('OPTIONS');
    const allow = [...methods].sort().join(', ');
    reply.header('allow', allow);
    if (request.method === 'OPTIONS') return reply.status(204).send();
    return reply
      .status(405)
      .type('application/json; charset=utf-8')
      .send(errorBody('METHOD_NOT_ALLOWED', `${request.method} is not allowed here; allowed: ${allow}`));
  });
}

/** A route pattern (`/api/files/:job_id/*`) as a regular expression over a decoded path. */
function patternOf(url: string): RegExp {
  const body = url
    .split('/')
    .map((seg) =>
      seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${body}$`);
}

function decodedPath(url: string): string {
  const raw = url.split('?', 1)[0] ?? '';
  try {
    return decodeURI(raw);
  } catch {
    return raw;
  }
}
