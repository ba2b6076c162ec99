import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions, RouteOptions } from 'fastify';
import { AppError, quotedName } from '../errors.js';
import { strictQuery } from './query.js';
import { appendRouteHook } from './route-hooks.js';

/**
 * The one rule for how a request is checked against its route's schema.
 *
 * Path parameters, query strings and headers are text on the wire, so they are coerced to the
 * schema's types (`?limit=5` is the integer 5), as Fastify does by default, after the query's
 * numbers and booleans are checked to be written in their one plain form (query.ts).
 *
 * A body is checked as sent. JSON carries its own types, and Fastify's default coercion turned
 * a wrong one into a silent guess: `"vocal_db": ""` became no guide vocal, `"semitones": "3"`,
 * `true` or `[3]` a key shift, `"title": 123` the title "123", and an unknown property (a typo
 * such as `"semitone"`) was dropped instead of refused. Here each of those is a 400 naming the
 * field. Defaults are still filled in. The upload form's fields are strings either way.
 */
export function installValidation(app: FastifyInstance): void {
  const compilers = AjvCompiler();
  const coercing = compilers({}, { customOptions: {} });
  const asSent = compilers({}, { customOptions: { coerceTypes: false, removeAdditional: false } });
  app.setValidatorCompiler((route) => {
    if (route.httpPart === 'body') return asSent(route);
    const validate = coercing(route);
    return route.httpPart === 'querystring' ? strictQuery(route.schema, validate) : validate;
  });
}

/**
 * Fastify's message for a schema failure (`body/tempo must be number`), naming the property
 * when it is one the route does not know (Ajv says only "must NOT have additional properties").
 */
export const schemaErrorFormatter: NonNullable<FastifyServerOptions['schemaErrorFormatter']> = (
  errors,
  dataVar,
) =>
  new Error(
    errors
      .map((e) => {
        const extra = unknownProperty(e);
        const what = extra !== undefined ? `: ${quotedName(extra)} is not a known property` : '';
        return `${dataVar}${e.instancePath} ${e.message ?? 'is not valid'}${what}`;
      })
      .join(', '),
  );

/** The property a schema failure names as not in the schema (`additionalProperties: false`), if any. */
export function unknownProperty(error: { params?: unknown }): string | undefined {
  const extra = (error.params as { additionalProperty?: unknown } | undefined)?.additionalProperty;
  return typeof extra === 'string' ? extra : undefined;
}

/**
 * A route without a body schema takes no body (its OpenAPI operation has no requestBody), and a
 * body sent to it was ignored, as unknown query parameters were: `DELETE /api/jobs/{id}` with
 * `{"keep_files": true}` deleted everything. Such a body is now 400 UNEXPECTED_BODY, in every
 * content type the server parses (a multipart form too). No body, an empty one and `{}` (some
 * clients send it by default) pass. GET, HEAD and OPTIONS bodies are never read.
 */
export function installBodylessRule(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.schema?.body !== undefined) return;
    appendRouteHook(route, 'preValidation', refuseBody);
  });
}

async function refuseBody(request: FastifyRequest): Promise<void> {
  const body: unknown = request.body;
  // A form's parser leaves the body unset (the route that takes a form streams it itself), so
  // `DELETE` with a multipart body looked like one with none, and deleted the job.
  if ((body === undefined && !request.isMultipart()) || isEmptyObject(body)) return;
  throw new AppError(
    'UNEXPECTED_BODY',
    `${request.method} ${request.routeOptions.url ?? ''} takes no body; send none`,
    400,
  );
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}
