import type { FastifyInstance } from 'fastify';
import { strictUtf8 } from '../domain/utf8.js';
import { AppError, quotedName } from '../errors.js';

/**
 * The one parser of JSON request bodies. JSON.parse alone takes the last of two equal keys,
 * turns 1e400 into Infinity, reads bytes that are not UTF-8 as U+FFFD and nests as deep as
 * memory allows; each of those is a body whose meaning the client and the server may read
 * differently, so each is a 400 that says what is wrong:
 *   INVALID_JSON        not JSON (also a byte order mark, which RFC 8259 §8.1 forbids sending)
 *   INVALID_UTF8        bytes that are not UTF-8 (RFC 8259 §8.1)
 *   DUPLICATE_KEY       a key twice in one object (RFC 8259 §4: names SHOULD be unique)
 *   FORBIDDEN_KEY       `__proto__`, `constructor` or `prototype` anywhere (prototype pollution)
 *   JSON_TOO_DEEP       nesting past MAX_DEPTH
 *   NUMBER_OUT_OF_RANGE a number that is not a finite double
 *   INVALID_UNICODE     a lone surrogate escape (`"\ud800"`): no character, so not UTF-8 either
 *                       (RFC 8259 §8.2); it was stored and shown, and two such titles that
 *                       render alike were two videos
 * A charset other than UTF-8 is 415. An empty body is no body (the route's schema decides).
 */
export const MAX_DEPTH = 32;
/** The largest request body other than an upload (Fastify's bodyLimit). */
export const BODY_LIMIT_BYTES = 1024 * 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      checkCharset(request.headers['content-type'], 'JSON bodies');
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

/** A `charset` parameter other than UTF-8 is 415: JSON bodies and form fields are read as UTF-8 only. */
export function checkCharset(contentType: string | undefined, what: string): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset))
    throw new AppError('UNSUPPORTED_CHARSET', `${what} are UTF-8, not ${quotedName(charset)}`, 415);
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)
    throw bad('INVALID_JSON', 'the body starts with a byte order mark; send JSON without one');
  const text = strictUtf8(body);
  if (text === undefined) throw bad('INVALID_UTF8', 'the body is not valid UTF-8');
  checkJsonText(text);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw bad('INVALID_JSON', `the body is not valid JSON: ${(err as Error).message}`);
  }
  // Text decoded from UTF-8 has no lone surrogate; only an escape makes one, so only a body
  // with a surrogate escape is walked.
  if (SURROGATE_ESCAPE.test(text)) checkWellFormed(value);
  return value;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string (keys too) is well-formed UTF-16, without recursion (depth is bounded anyway). */
function checkWellFormed(root: unknown): void {
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v))
        throw bad('INVALID_UNICODE', 'the body has a lone surrogate (\\ud800-\\udfff) that is no character');
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) todo.push(k, item);
    }
  }
}

/**
 * One pass over the text, without recursion: keys of each open object (duplicates, forbidden
 * names), depth, numbers. Syntax is left to JSON.parse; what this skips is only what it needs
 * not to misread (strings, so that brackets inside them do not count).
 */
function checkJsonText(text: string): void {
  const open: (Set<string> | undefined)[] = []; // a key set per open object, undefined per array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (open.length >= MAX_DEPTH)
        throw bad('JSON_TOO_DEEP', `the body nests deeper than ${MAX_DEPTH} levels`);
      open.push(c === 0x7b ? new Set() : undefined);
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = open.at(-1) !== undefined;
    } else if (c === 0x3a /* : */) {
      expectKey = false;
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const keys = open.at(-1);
      if (expectKey && keys) {
        const key = decodeString(text.slice(i, end + 1));
        if (FORBIDDEN_KEYS.has(key)) throw bad('FORBIDDEN_KEY', `the key ${quotedName(key)} is not accepted`);
        if (keys.has(key))
          throw bad('DUPLICATE_KEY', `the key ${quotedName(key)} appears twice in one object`);
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const m = /-?[0-9][0-9.eE+-]*/y;
      m.lastIndex = i;
      const token = m.exec(text)?.[0] ?? text[i] ?? '';
      if (!Number.isFinite(Number(token)) && /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(token))
        throw bad('NUMBER_OUT_OF_RANGE', `the number ${token.slice(0, 40)} is out of range`);
      i += token.length - 1;
    }
  }
}

/** The index of the quote that closes the string opened at `start` (the end of the text if none). */
function stringEnd(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c /* \ */) j++;
    else if (c === 0x22) return j;
  }
  return text.length - 1;
}

function decodeString(literal: string): string {
  try {
    const v: unknown = JSON.parse(literal);
    return typeof v === 'string' ? v : literal;
  } catch {
    throw bad('INVALID_JSON', 'the body is not valid JSON (a bad string)');
  }
}

function bad(code: string, message: string): AppError {
  return new AppError(code, message, 400);
}
