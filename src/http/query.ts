import type { FastifySchema, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

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

/** Wraps a query validator with the strict text check; schemas without typed properties pass through. */
export function strictQuery(schema: FastifySchema | undefined, validate: Validate): Validate {
  const props = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {};
  const typed = Object.entries(props).flatMap(([name, p]) =>
    typeof p.type === 'string' && FORMS[p.type] ? [[name, p.type] as const] : [],
  );
  if (typed.length === 0) return validate;
  const wrapper: Validate = (data: unknown) => {
    const query = (data ?? {}) as Record<string, unknown>;
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
