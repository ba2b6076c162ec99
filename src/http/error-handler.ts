import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import { AppError } from '../errors.js';
import { RETRY_AFTER_S } from './client-slots.js';
import { BODY_LIMIT_BYTES } from './json-body.js';

/**
 * One error shape: `{ error: { code, message } }`. Client mistakes keep their message;
 * 5xx messages are replaced so internals (paths, stack traces) never leave the server.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    let status = 500;
    let code = 'INTERNAL_ERROR';
    let message = 'internal server error';
    if (err instanceof AppError) {
      status = err.status;
      code = err.code;
      message = err.message;
    } else if ('validation' in err && err.validation) {
      status = 400;
      code = 'VALIDATION_ERROR';
      message = err.message;
    } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
      status = err.statusCode;
      code = typeof err.code === 'string' && err.code ? err.code.replace(/^FST_/, '') : codeOfStatus(status);
      message = err.message;
      const plain = typeof err.code === 'string' ? FRAMEWORK_CODES[err.code] : undefined;
      if (plain) [code, message] = [plain[0], plain[1](request.headers['content-type'])];
    } else if ('statusCode' in err && typeof err.statusCode === 'number') {
      status = err.statusCode;
    }
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      if (!(err instanceof AppError) || status === 500) message = 'internal server error';
    }
    // Every "too many" and "busy" says when to come back (a route may have said it already).
    if ((status === 429 || status === 503) && !reply.hasHeader('retry-after'))
      reply.header('retry-after', String(RETRY_AFTER_S));
    void reply.status(status).send({ error: { code, message } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    });
  });
}

/** Fastify's body errors, named for what the client did (`ERR_CTP_INVALID_MEDIA_TYPE` said little). */
const FRAMEWORK_CODES: Record<string, [string, (contentType: string | undefined) => string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    'UNSUPPORTED_MEDIA_TYPE',
    (t) =>
      `a body of type ${JSON.stringify(t ?? 'none')} is not accepted here (JSON bodies: application/json)`,
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [
    'BODY_TOO_LARGE',
    () => `the request body is larger than ${BODY_LIMIT_BYTES} bytes`,
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    'BAD_CONTENT_LENGTH',
    () => 'the body is not as long as its Content-Length says',
  ],
};

/** A code for an error that has none (a plugin's 403 is FORBIDDEN, not BAD_REQUEST). */
function codeOfStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'Bad Request').toUpperCase().replace(/[^A-Z]+/g, '_');
}

/** The body of every error, also the ones written before a request reaches a route. */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/**
 * A whole error answer written straight to a socket that has no response object (the parser
 * refused the request, the connection is refused or cut), with the error body; it closes the
 * connection.
 */
export function rawErrorAnswer(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): string {
  const body = errorBody(code, message);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${extra}` +
    `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

/**
 * Requests the router refuses before any route runs (Fastify's own JSON otherwise): a URL that
 * does not percent-decode (`/api/status/%zz`) and a path parameter over the router's length
 * limit. The message never echoes the path (it may be kilobytes long).
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  err,
  _request,
  reply,
) => {
  const [status, code, message]: [number, string, string] =
    err.code === 'FST_ERR_BAD_URL'
      ? [400, 'BAD_URL', 'the URL is not valid (a bad percent-encoding)']
      : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [414, 'URL_TOO_LONG', 'a path segment of the URL is too long']
        : [500, 'INTERNAL_ERROR', 'internal server error'];
  void (reply as FastifyReply)
    .status(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(code, message));
};

/**
 * Requests Node's HTTP parser refuses (an unknown method, a malformed header, headers over the
 * size limit, a request that took longer than REQUEST_TIMEOUT): answered with the same error
 * body, then the connection is closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, string, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'the request headers are too large']
        : [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  // A response already begun on this socket (Node's own handler checks the same) is not interleaved.
  const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (socket.writable && !started) socket.write(rawErrorAnswer(status, code, message));
  socket.destroy(err);
}
