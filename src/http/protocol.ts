import type { ServerOptions } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SecurityConfig } from '../config-security.js';
import { AppError } from '../errors.js';
import { errorBody, rawErrorAnswer } from './error-handler.js';

/**
 * The HTTP edges that Node's server decides before Fastify sees a request: how long a request
 * may take to arrive, a missing Host header, an `Expect` the server cannot meet. Node answers
 * the last two itself with an empty body; here they get the API's error body like every refusal.
 */

/**
 * A request target Fastify's router may see: origin-form (`/path`) or absolute-form (RFC 9112
 * §3.2), the latter without userinfo (`http://u:p@host/`: RFC 9110 §4.2.4 says to treat it as an
 * error, it serves to disguise the authority).
 */
const ORIGIN_OR_ABSOLUTE_FORM = /^(\/|https?:\/\/[^/?#@]+(\/|$))/i;
/** RFC 3986 `host [":" port]`: an IP literal in brackets, or a registered name / IPv4 address. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(:[0-9]*)?$/;
/** Every method some route of the API takes (the answer to `OPTIONS *`). */
const SERVER_METHODS = 'DELETE, GET, HEAD, OPTIONS, POST';

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

export function installProtocolChecks(
  app: FastifyInstance,
  { idleTimeoutS, sendTimeoutS }: Pick<SecurityConfig, 'idleTimeoutS' | 'sendTimeoutS'>,
): void {
  if (idleTimeoutS > 0) installIdleTimeout(app, idleTimeoutS * 1000);
  if (sendTimeoutS > 0) installSendTimeout(app, sendTimeoutS * 1000);
  app.addHook('onRequest', async (request, reply) => {
    const target = request.raw.url ?? '';
    // A fragment is never sent (RFC 9112 §3.2); the router read `/api/jobs#limit=5` as a query.
    if (target.includes('#'))
      throw new AppError(
        'BAD_REQUEST_TARGET',
        'the request target has a fragment ("#…"); send the path only',
        400,
      );
    if (!ORIGIN_OR_ABSOLUTE_FORM.test(target)) {
      // `OPTIONS *` asks about the server as a whole (RFC 9110 §9.3.7); `GET *` was routed to
      // the player page (200 HTML).
      if (target === '*' && request.method === 'OPTIONS')
        return reply.status(204).header('allow', SERVER_METHODS).send();
      throw new AppError(
        'BAD_REQUEST_TARGET',
        'the request target must be a path starting with "/" (or an absolute http URL); "*" only with OPTIONS',
        400,
      );
    }
    const { httpVersionMajor: major, httpVersionMinor: minor } = request.raw;
    // `GET / HTTP/2.0` in HTTP/1 framing was answered as HTTP/1.1 (RFC 9110 §15.6.6: 505).
    if (major !== 1)
      throw new AppError(
        'HTTP_VERSION_NOT_SUPPORTED',
        `HTTP/${major}.${minor} is not spoken here; use HTTP/1.1`,
        505,
      );
    const host = request.headers.host;
    if (minor >= 1 && !host)
      throw new AppError('MISSING_HOST', 'an HTTP/1.1 request needs a Host header', 400);
    // RFC 9112 §3.2: a Host that is not `host[:port]` is a 400 (`a b`, `x/y`, `u@x` were answered).
    if (host && !HOST.test(host))
      throw new AppError(
        'BAD_HOST',
        'the Host header is not a host name or address with an optional port',
        400,
      );
    // Two Host headers (and other repeated single-value headers): request-head.ts.
  });
  // A request answered before its body was read (refused: 401, 404, 405, 415, …): Node keeps
  // the connection and reads the rest of the body to throw it away, and a chunked body has no
  // end: one client could stream gigabytes into a refusal for REQUEST_TIMEOUT. The answer now
  // closes the connection (RFC 9112 §9.6), and what was not read is never read.
  // (A callback hook: it runs on every answer, and needs no promise.)
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete && onNetwork(request)) reply.header('connection', 'close');
    done(null, payload);
  });
  // CONNECT (a proxy's method) is handed to a 'connect' listener, and with none Node closed the
  // socket without a word.
  app.server.on('connect', (_req: unknown, socket: Duplex) => {
    const message = 'CONNECT is not supported: this server is not a proxy';
    socket.on('error', () => undefined);
    socket.end(rawErrorAnswer(405, 'METHOD_NOT_ALLOWED', message, { Allow: SERVER_METHODS }), () =>
      socket.destroy(),
    );
  });
  app.server.on('checkContinue', (req, res) => {
    // `Expect: 100-continue`: Node said "100 Continue" at once, so a client whose upload was
    // then refused (401, 413 for its Content-Length, 429, 503) sent the body anyway. The 100
    // is now sent when the route starts reading the body; a refusal before that comes instead.
    const onListener = (event: string | symbol) => {
      if (event !== 'data' && event !== 'readable') return;
      req.off('newListener', onListener);
      if (!res.headersSent && !res.writableEnded) res.writeContinue();
    };
    req.on('newListener', onListener);
    app.server.emit('request', req, res);
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

/**
 * IDLE_TIMEOUT: a connection on which no byte moves for that long while a request arrives or
 * its answer is sent. REQUEST_TIMEOUT bounds a whole request; this catches a stall long before
 * (a body that stops half-way, a client that never reads a download), so an upload slot or a
 * socket is not held for the rest of the request time. Between requests Node's
 * `keepAliveTimeout` (Fastify: 72 s) applies, and before the headers are in `headersTimeout`.
 */
function installIdleTimeout(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!onNetwork(request)) return;
    // A listener on the response keeps Node from destroying the socket itself: onIdle decides.
    reply.raw.setTimeout(ms, () => onIdle(request, reply, ms));
  });
}

/**
 * Whether a request came over a socket (app.inject's has none to end or destroy: an idle timer
 * firing on an injected request, on a loaded machine, threw in the timer).
 */
function onNetwork(request: FastifyRequest): boolean {
  return request.raw.socket instanceof Socket;
}

function onIdle(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  const res = reply.raw;
  const socket = request.raw.socket;
  // Finished means handed to the kernel in full; ended is not enough (an answer written in one
  // piece and never read is ended, and its socket was kept for ever).
  if (res.writableFinished || socket.destroyed) return;
  if (res.headersSent) {
    // The answer has begun and the client stopped taking it.
    socket.destroy();
    return;
  }
  // The request is in and the server is still working on it (an upload being validated).
  if (request.raw.complete) return;
  const message = `no data arrived for ${ms / 1000} s; the request was dropped`;
  socket.end(
    rawErrorAnswer(408, 'REQUEST_IDLE', message),
    // The route reading the body then sees it cut short and cleans up (temp file, upload slot).
    () => socket.destroy(),
  );
}

/**
 * SEND_TIMEOUT: the time an answer may take from its head to its last byte handed to the
 * kernel. IDLE_TIMEOUT catches a client that stops reading; a client that reads a byte now and
 * then is never idle, and held its socket and the file's descriptor for as long as it liked.
 * Past the limit the connection is closed (a download resumes with Range). Counted from
 * `onSend`, so the time the server took to answer is not the client's; event streams
 * (hijacked, bounded in sse.ts) are not seen here.
 */
function installSendTimeout(app: FastifyInstance, ms: number): void {
  const timed = new WeakSet<object>();
  app.addHook('onSend', async (request, reply, payload) => {
    const res = reply.raw;
    // onSend runs again when an error answer replaces a failed one: one clock per answer.
    if (timed.has(res) || !onNetwork(request)) return payload;
    timed.add(res);
    const timer = setTimeout(() => {
      if (!res.writableFinished) request.raw.socket.destroy();
    }, ms);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    return payload;
  });
}
