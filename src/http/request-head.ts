import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/**
 * The header rules of a request head, checked in one onRequest hook before anything is routed
 * or read. Each is a head that the server and a proxy in front of it could read differently:
 *
 *  - A header that carries one value, sent twice. Node keeps the first of two Content-Type (or
 *    Host, Range, If-Range, …) headers; a proxy may use the other (RFC 9110 §5.3: a field that is
 *    not a list may not be repeated). Host keeps its own code (audit 3).
 *  - A Content-Type with one parameter twice (`charset=utf-8; charset=latin1`, two boundaries):
 *    the first was used.
 *  - A body in a content coding (`Content-Encoding: gzip`): read as if it were plain. The server
 *    decodes none, so it is 415 (RFC 9110 §8.4.1). A transfer coding other than chunked
 *    (`Transfer-Encoding: gzip, chunked`) is 501 (RFC 9112 §6.1).
 */
const SINGLE_VALUE_HEADERS: ReadonlyMap<string, string> = new Map([
  ['host', 'DUPLICATE_HOST'],
  ['content-type', 'DUPLICATE_HEADER'],
  ['range', 'DUPLICATE_HEADER'],
  ['if-range', 'DUPLICATE_HEADER'],
  ['if-modified-since', 'DUPLICATE_HEADER'],
  ['if-unmodified-since', 'DUPLICATE_HEADER'],
]);

/** A media-type parameter (RFC 9110 §5.6.6): a token name, a token or quoted-string value. */
const PARAMETER = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;

export function installRequestHeadRules(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    repeatedHeader(request);
    repeatedParameter(request.headers['content-type']);
    codings(request);
  });
}

function repeatedHeader(request: FastifyRequest): void {
  const seen = new Set<string>();
  const raw = request.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const code = SINGLE_VALUE_HEADERS.get(name);
    if (code === undefined) continue;
    if (seen.has(name))
      throw new AppError(code, `the request has more than one ${raw[i]} header; send it once`, 400);
    seen.add(name);
  }
}

function repeatedParameter(contentType: string | undefined): void {
  if (contentType === undefined) return;
  const names = new Set<string>();
  for (const [, name] of contentType.matchAll(PARAMETER)) {
    const key = name!.toLowerCase();
    if (names.has(key))
      throw new AppError(
        'BAD_CONTENT_TYPE',
        `the Content-Type gives the parameter "${key}" more than once`,
        400,
      );
    names.add(key);
  }
}

function codings(request: FastifyRequest): void {
  const content = listOf(request.headers['content-encoding']).filter((c) => c !== 'identity');
  if (content.length > 0)
    throw new AppError(
      'UNSUPPORTED_CONTENT_ENCODING',
      `a body in the content coding "${content.join(', ')}" is not accepted; send it unencoded`,
      415,
    );
  const transfer = listOf(request.headers['transfer-encoding']).filter((c) => c !== 'chunked');
  if (transfer.length > 0)
    throw new AppError(
      'UNSUPPORTED_TRANSFER_ENCODING',
      `the transfer coding "${transfer.join(', ')}" is not supported; only chunked is`,
      501,
    );
}

function listOf(header: string | string[] | undefined): string[] {
  return [header ?? []]
    .flat()
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
}
