import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { NotFoundError } from '../errors.js';
import { errorBody } from './error-handler.js';

/**
 * Requests on a path the API has, with a method it lacks there: 405 Method Not Allowed with an
 * `Allow` header (RFC 9110 §15.5.6) instead of the 404 an unknown path gets, in the same error
 * body. OPTIONS on such a path is answered 204 with `Allow` (a CORS preflight is answered by
 * the CORS plugin, when CORS_ORIGINS is set; an OPTIONS that is not a preflight is answered
 * here even then, where the plugin said `400 Invalid Preflight Request` in plain text). HEAD is
 * allowed wherever GET is. OPTIONS-only routes (the CORS plugin's `OPTIONS *`) make no path known.
 * An unknown path is 404 before its body is read, like the 405.
 */
interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

export function installMethodRules(app: FastifyInstance): void {
  const known = new Map<string, KnownPath>();
  app.addHook('onRoute', (route: RouteOptions) => {
    if ([route.method].flat().every((m) => m === 'OPTIONS')) return;
    const entry = known.get(route.url) ?? { pattern: patternOf(route.url), methods: new Set<string>() };
    for (const m of [route.method].flat()) entry.methods.add(m);
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
    known.set(route.url, entry);
  });
  // onRequest runs for unmatched requests too, before any body is read.
  app.addHook('onRequest', async (request, reply) => {
    const plainOptions = request.method === 'OPTIONS' && !isPreflight(request.headers);
    if (!request.is404 && !plainOptions) return;
    const path = decodedPath(request.url);
    const methods = new Set<string>();
    for (const k of known.values()) if (k.pattern.test(path)) for (const m of k.methods) methods.add(m);
    // An unknown path is 404 here, before its body is read: the 404 handler runs after the body
    // parser, so `POST /nope` with bad JSON was 400 INVALID_JSON (and a big one 413).
    if (methods.size === 0) throw new NotFoundError(`no route ${request.method} ${path}`);
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

/** A CORS preflight (Fetch standard): an Origin and the method the page wants to use. */
function isPreflight(headers: FastifyRequest['headers']): boolean {
  return headers.origin !== undefined && headers['access-control-request-method'] !== undefined;
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
