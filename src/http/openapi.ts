/**
 * @file The OpenAPI document (served at /docs/json, linted and turned into a typed client by
 * test/http/openapi*.test.ts). Route schemas are the source; this file only adds what a
 * route cannot say about itself: the API-key schemes and a name for wildcard path parameters.
 */

import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import type { Services } from '../container.js';
import { keysEnabled, type RouteAccess } from './access.js';

/** How a route's `*` wildcard is named in the document (find-my-way calls it `*`). */
export const WILDCARD_PARAM = 'path';

/**
 * The ways access.ts accepts a key; a client may use either. File and event URLs in responses
 * also carry a short-lived signature (`?exp=…&sig=…`) for clients that cannot set headers.
 */
const SECURITY_SCHEMES = {
  apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' },
  bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer KEY' },
} as const;

/** Routes open without a key (access.ts decides the same from the route's `config.access`). */
const OPEN_ACCESS: ReadonlySet<RouteAccess> = new Set(['public', 'metrics']);

export function openApiOptions(services: Services): SwaggerOptions {
  const keysOn = keysEnabled(services.config);
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Karaoke backend API',
        version: services.appVersion,
        description:
          'Upload a song; get its stems, word-timed lyrics and rhythm. Errors are `{error: {code, message}}`. ' +
          'A method a path does not have is 405 with `Allow`; OPTIONS on a path is 204 with `Allow`. ' +
          'A query parameter a route does not list is 400 `UNKNOWN_QUERY_PARAMETER`; a body sent to an ' +
          'operation without a requestBody is 400 `UNEXPECTED_BODY`. ' +
          'Uploads and event streams are limited per client (429 + Retry-After) and in all (503 + Retry-After).',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: '/' }],
      tags: [
        { name: 'jobs', description: 'Upload a song, follow its job, read its results' },
        { name: 'files', description: 'Download what a job produced' },
        { name: 'service', description: 'Health and metrics' },
        { name: 'video', description: 'Karaoke videos (MP4) rendered on request' },
      ],
      components: keysOn ? { securitySchemes: SECURITY_SCHEMES } : {},
      ...(keysOn ? { security: Object.keys(SECURITY_SCHEMES).map((k) => ({ [k]: [] })) } : {}),
    },
    transformObject: (doc) =>
      'openapiObject' in doc ? nameHeadOperations(doc.openapiObject) : doc.swaggerObject,
    transform: ({ schema, url, route }) => {
      const doc = { ...(schema as FastifySchema & Record<string, unknown>) };
      const access = (route.config as { access?: RouteAccess } | undefined)?.access ?? 'key';
      if (keysOn && OPEN_ACCESS.has(access)) doc.security = [];
      if (!url.endsWith('/*')) return { schema: doc, url };
      return {
        schema: { ...doc, params: renameWildcard(doc.params) },
        url: `${url.slice(0, -1)}:${WILDCARD_PARAM}`,
      };
    },
  };
}

/** The params schema with its `*` property named WILDCARD_PARAM (a copy; validation keeps `*`). */
function renameWildcard(params: unknown): unknown {
  const p = params as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  if (!p?.properties?.['*']) return params;
  const { '*': wildcard, ...rest } = p.properties;
  return {
    ...p,
    properties: { ...rest, [WILDCARD_PARAM]: wildcard },
    required: (p.required ?? []).map((r) => (r === '*' ? WILDCARD_PARAM : r)),
  };
}

/** A route serving GET and HEAD has one operationId; its HEAD operation gets `<id>Head`. */
function nameHeadOperations<T>(doc: T): T {
  const paths = (doc as { paths?: Record<string, Record<string, { operationId?: string }>> }).paths ?? {};
  for (const ops of Object.values(paths)) {
    const { get, head } = ops;
    if (get?.operationId && head && head.operationId === get.operationId)
      ops.head = { ...head, operationId: `${get.operationId}Head` };
  }
  return doc;
}
