import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { errorBody } from './error-handler.js';

/**
 * The HTTP edges that Node's server decides before Fastify sees a request: how long a request
 * may take to arrive, a missing Host header, an `Expect` the server cannot meet. Node answers
 * the last two itself with an empty body; here they get the API's error body like every refusal.
 */

/** Node's default time for a request's headers. */
const HEADERS_TIMEOUT_MS = 60_000;
/** Node's default interval between its timeout checks. */
const CHECK_INTERVAL_MS = 30_000;

/**
 * Fastify options for the server. Node answers 408 to a request not received within
 * REQUEST_TIMEOUT (0: no limit): it reads the limit when the server is made (Fastify's own
 * `requestTimeout` is set afterwards, which Node 20 does not enforce, and is 0 by default) and
 * checks every `connectionsCheckingInterval`, shortened for short limits. The time for the
 * headers alone may not be longer than the limit.
 */
export function serverOptions(requestTimeoutS: number): { requestTimeout: number; http: ServerOptions } {
  const ms = requestTimeoutS * 1000;
  const limits =
    ms > 0
      ? {
          requestTimeout: ms,
          headersTimeout: Math.min(HEADERS_TIMEOUT_MS, ms),
          connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, Math.max(100, ms / 4)),
        }
      : { requestTimeout: 0 };
  // Host is checked by the hook below, which answers with the error body.
  return { requestTimeout: ms, http: { ...limits, requireHostHeader: false } };
}

export function installProtocolChecks(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const { httpVersionMajor: major, httpVersionMinor: minor } = request.raw;
    if ((major > 1 || (major === 1 && minor >= 1)) && !request.headers.host)
      throw new AppError('MISSING_HOST', 'an HTTP/1.1 request needs a Host header', 400);
  });
  app.server.on('checkExpectation', (_req, res) => {
    const body = errorBody('EXPECTATION_FAILED', 'only "Expect: 100-continue" is understood');
    res.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  });
}
