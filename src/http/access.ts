import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import type { AppConfig } from '../config.js';
import type { JobRecord } from '../domain/job.js';
import { AppError } from '../errors.js';
import { appendRouteHook } from './route-hooks.js';
import { jobUrls, type SignedScope } from './signed-urls.js';

/**
 * Access control, decided on the matched route (never on the raw URL, so every encoding of a
 * path gets the same answer).
 *
 * Every route needs a valid key (`x-api-key: KEY` or `Authorization: Bearer KEY`) when API_KEYS
 * (or ADMIN_KEY) is set, unless its config says otherwise:
 *   config: { access: 'public' }          open to all (/health, the page, /docs)
 *   config: { access: 'metrics' }         open, or METRICS_KEY when that is set
 *   config: { access: 'signed-file' }     a key, or a signed URL of that file (<audio>, links)
 *   config: { access: 'signed-events' }   a key, or a signed URL of that job's events (EventSource)
 * A new route is therefore protected by default. The hook is added to each route after the rate
 * limiter's, so failed keys count against the client's budget.
 *
 * Jobs belong to the key that created them (a hash is stored, never the key): load jobs with
 * `loadOwnedJob` (job-lookup.ts) or check with `canAccessJob`, which answer 404 for other keys'
 * jobs, and filter lists with `ownerFilter`.
 */
export type RouteAccess = 'key' | 'public' | 'metrics' | 'signed-file' | 'signed-events';

export type Principal =
  /** No keys configured: everyone may do everything. */
  | { kind: 'open' }
  | { kind: 'admin' }
  | { kind: 'key'; owner: string }
  /** A signed URL: that one resource of that one job (`owner`: the valid key sent with it, if any). */
  | { kind: 'signed'; jobId: string; owner?: string }
  | { kind: 'anonymous' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Routes that other plugins register (Swagger UI) and that are public by choice. */
const PUBLIC_ROUTE_PREFIXES = ['/docs'];

/** Whether a route is one of another plugin's pages (Swagger UI's), not the API's. */
export function isPluginPage(url: string): boolean {
  return PUBLIC_ROUTE_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`));
}

/** The owner id stored on a job: a hash of the key, so the record never holds a key. */
export function ownerOf(key: string): string {
  return createHash('sha256').update(`karaoke-owner\n${key}`).digest('hex');
}

export function keysEnabled(config: AppConfig): boolean {
  return config.apiKeys.length > 0 || config.security.adminKey !== undefined;
}

/**
 * The key a request presents: undefined for none, null for several that differ. Every
 * credential header counts (each `x-api-key`, each `Authorization: Bearer`): Node keeps only
 * the first of two Authorization headers and joins two x-api-key headers, so which one "won"
 * depended on the header; a request with two different keys now counts as having none and is
 * told so (the same key sent twice, or in both headers, is that key). Never the query string.
 */
/**
 * `Bearer`, ASCII spaces or tabs, a key of visible ASCII (as config-security.ts requires of every
 * key). It read `\s` and `\S`, which take U+00A0 (the Latin-1 byte 0xA0, as Node reads header
 * values) for a space: `Bearer<0xA0>KEY` was KEY, where a proxy sees no Bearer token at all.
 */
const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

export function presentedKey(request: FastifyRequest): string | undefined | null {
  const keys = new Set<string>();
  const raw = request.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'x-api-key' && value) keys.add(value);
    if (name === 'authorization') {
      const bearer = BEARER.exec(value)?.[1];
      if (bearer) keys.add(bearer);
    }
  }
  if (keys.size > 1) return null;
  return keys.values().next().value;
}

/** Who a request is, from its key alone (signed URLs are checked by the route hook). */
export function principalFromKey(config: AppConfig, key: string | undefined | null): Principal {
  if (!keysEnabled(config)) return { kind: 'open' };
  if (!key) return { kind: 'anonymous' };
  if (config.security.adminKey !== undefined && same(key, config.security.adminKey)) return { kind: 'admin' };
  if (config.apiKeys.some((k) => same(key, k))) return { kind: 'key', owner: ownerOf(key) };
  return { kind: 'anonymous' };
}

/** The owner to record on a new job (undefined when keys are off or for the admin). */
export function ownerForNewJob(principal: Principal): string | undefined {
  return principal.kind === 'key' ? principal.owner : undefined;
}

/** The owner a list must be filtered by (undefined: all jobs). */
export function ownerFilter(principal: Principal): string | undefined {
  if (principal.kind === 'key') return principal.owner;
  if (principal.kind === 'open' || principal.kind === 'admin') return undefined;
  // A signed URL or no key never lists: the route hook refuses it first. Fail closed anyway.
  return '-';
}

export function canAccessJob(principal: Principal, job: JobRecord): boolean {
  switch (principal.kind) {
    case 'open':
    case 'admin':
      return true;
    case 'key':
      return job.owner === principal.owner;
    case 'signed':
      return job.id === principal.jobId;
    case 'anonymous':
      return false;
  }
}

export function installAccessControl(app: FastifyInstance, config: AppConfig): void {
  // Set by the hook on every routed request; null until then (Fastify wants a non-object default).
  (app.decorateRequest as (name: string, value: null) => void)('principal', null);
  const hook = accessHook(config);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (isPluginPage(route.url)) route.config = { ...route.config, access: route.config?.access ?? 'public' };
    appendRouteHook(route, 'onRequest', hook);
  });
}

function accessHook(config: AppConfig): onRequestHookHandler {
  const urls = jobUrls(config);
  return async (request) => {
    const access = request.routeOptions.config.access ?? 'key';
    const key = presentedKey(request);
    request.principal = principalFromKey(config, key);
    // A signed URL is the right to that one resource, whoever presents it: with a valid key of
    // another owner it was 404 where no key (or a wrong one) was 200, so a page that sent its
    // user's key along with a link another user shared could not play it. An owner's own key
    // (or the admin's) already reaches the job; a bad signature leaves the key to decide.
    const keyed = request.principal;
    if (keyed.kind === 'key' && (access === 'signed-file' || access === 'signed-events')) {
      const signed = signedPrincipal(request, access === 'signed-file' ? 'file' : 'events', urls);
      if (signed?.kind === 'signed') request.principal = { ...signed, owner: keyed.owner };
      return;
    }
    if (request.principal.kind !== 'anonymous' && access !== 'metrics') return;
    switch (access) {
      case 'public':
        return;
      case 'metrics':
        if (config.security.metricsKey === undefined) return;
        if (typeof key === 'string' && same(key, config.security.metricsKey)) return;
        if (request.principal.kind === 'admin') return;
        throw unauthorized('a valid metrics key is required');
      case 'signed-file':
      case 'signed-events': {
        const signed = signedPrincipal(request, access === 'signed-file' ? 'file' : 'events', urls);
        if (signed) {
          request.principal = signed;
          return;
        }
        throw unauthorized('a valid API key or an unexpired signed URL is required');
      }
      case 'key':
        throw unauthorized(
          key === null
            ? 'the request sends more than one API key (x-api-key and Authorization differ, or a header is repeated)'
            : 'a valid API key is required',
        );
    }
  };
}

function signedPrincipal(
  request: FastifyRequest,
  scope: SignedScope,
  urls: ReturnType<typeof jobUrls>,
): Principal | undefined {
  const params = request.params as Record<string, string | undefined>;
  const query = request.query as Record<string, unknown>;
  const jobId = params.job_id;
  const { exp, sig } = query;
  if (typeof jobId !== 'string' || typeof exp !== 'string' || typeof sig !== 'string') return undefined;
  const rel = scope === 'file' ? (params['*'] ?? '') : '';
  return urls.verify(scope, jobId, rel, exp, sig) ? { kind: 'signed', jobId } : undefined;
}

function unauthorized(message: string): AppError {
  return new AppError('UNAUTHORIZED', message, 401);
}

function same(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}
