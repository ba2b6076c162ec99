import type {
  FastifyInstance,
  FastifyRequest,
  FastifySchema,
  FastifySchemaCompiler,
  FastifySchemaValidationError,
  RouteOptions,
} from 'fastify';
import { AppError, quotedName } from '../errors.js';
import { isPluginPage } from './access.js';
import { appendRouteHook } from './route-hooks.js';

/**
 * The one rule for numbers and booleans in a query string. Ajv's coercion reads the text with
 * `Number()`, so `?limit=0x10` was 16, `1e1` 10, `%205` (a space) 5, `+5`, `05` and `5.0` 5 and
 * `?offset=-0` 0: many spellings of one value, and a proxy or a cache that keys on the text
 * sees different requests. Here a number is written one way (decimal digits, no leading zero,
 * an optional minus but never `-0`, a fraction only for `number`) and a boolean is `true` or
 * `false`; anything else is a 400 before coercion, with the same code and message form as
 * every other schema failure. Run for every route's `querystring` schema (validation.ts).
 */
const FORMS: Record<string, RegExp> = {
  integer: /^(0|-?[1-9][0-9]{0,15})$/,
  number: /^(0|-?[1-9][0-9]{0,15})(\.[0-9]{1,16})?$|^-?0\.[0-9]{1,16}$/,
  boolean: /^(true|false)$/,
};

type Validate = ReturnType<FastifySchemaCompiler<FastifySchema>> & {
  errors?: FastifySchemaValidationError[] | null;
};

/**
 * Wraps a query validator with the strict text check; schemas without properties pass through.
 * A parameter given twice (`?limit=5&limit=6`) is said to be given twice ("must be integer" said
 * nothing of the cause).
 */
export function strictQuery(schema: FastifySchema | undefined, validate: Validate): Validate {
  const props = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {};
  const single = Object.entries(props).flatMap(([name, p]) => (p.type === 'array' ? [] : [name]));
  const typed = Object.entries(props).flatMap(([name, p]) =>
    typeof p.type === 'string' && FORMS[p.type] ? [[name, p.type] as const] : [],
  );
  if (single.length === 0) return validate;
  const wrapper: Validate = (data: unknown) => {
    const query = (data ?? {}) as Record<string, unknown>;
    const twice = single.find((name) => Array.isArray(query[name]));
    if (twice !== undefined) {
      wrapper.errors = [givenTwice(twice)];
      return false;
    }
    for (const [name, type] of typed) {
      const value = query[name];
      if (typeof value !== 'string' || FORMS[type]!.test(value)) continue;
      wrapper.errors = [notation(name, type)];
      return false;
    }
    const ok = validate(data);
    wrapper.errors = validate.errors;
    return ok;
  };
  return wrapper;
}

function givenTwice(name: string): FastifySchemaValidationError {
  return {
    instancePath: `/${name}`,
    keyword: 'maxItems',
    message: 'is given more than once; give it once',
    params: { limit: 1 },
    schemaPath: `#/properties/${name}`,
  };
}

function notation(name: string, type: string): FastifySchemaValidationError {
  const how =
    type === 'boolean'
      ? 'true or false'
      : `a plain decimal ${type} (no sign +, spaces, 0x, exponent or leading zero)`;
  return {
    instancePath: `/${name}`,
    keyword: 'format',
    message: `must be written as ${how}`,
    params: { format: type },
    schemaPath: `#/properties/${name}`,
  };
}

/**
 * The one rule for which query parameters a route takes: the properties of its `querystring`
 * schema (none without one), so the OpenAPI document lists exactly what is accepted. A name
 * outside them was ignored, and a typo asked for something else without a word (`?limt=5`
 * listed 20 jobs, `POST /api/process?stage=beats` ran every stage); it is now a 400
 * UNKNOWN_QUERY_PARAMETER naming it and what the route takes. A route that takes free
 * parameters says so with `additionalProperties` in its schema (the page: links and
 * cache-busters), as do other plugins' pages (Swagger UI under /docs). Checked in
 * onRequest after the access check (nothing is said to a caller without a key), before a body
 * is read.
 */
export function installQueryRules(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (isPluginPage(route.url)) return;
    const takes = queryNames(route.schema?.querystring);
    if (takes === 'any') return;
    const check = async (request: FastifyRequest) => {
      const extra = Object.keys(request.query as Record<string, unknown>).filter((k) => !takes.has(k));
      if (extra.length > 0) throw unknownQueryParameter(request, extra[0]!, takes);
    };
    appendRouteHook(route, 'onRequest', check);
  });
}

function queryNames(schema: unknown): ReadonlySet<string> | 'any' {
  const s = schema as { properties?: Record<string, unknown>; additionalProperties?: unknown } | undefined;
  if (s?.additionalProperties !== undefined && s.additionalProperties !== false) return 'any';
  return new Set(Object.keys(s?.properties ?? {}));
}

function unknownQueryParameter(request: FastifyRequest, name: string, takes: ReadonlySet<string>): AppError {
  const route = `${request.method} ${request.routeOptions.url ?? ''}`;
  const accepted = takes.size > 0 ? `takes ${[...takes].join(', ')}` : 'takes no query parameters';
  return new AppError(
    'UNKNOWN_QUERY_PARAMETER',
    `the query parameter ${quotedName(name)} is not known (${route} ${accepted})`,
    400,
  );
}
