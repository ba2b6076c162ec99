import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../container.js';
import { AppError } from '../errors.js';
import { clientOf, retryAfterHeader, type ClientSlots } from './client-slots.js';
import type { JobRecord } from '../domain/job.js';
import { isTerminalJob } from '../domain/job.js';
import { statusView } from './presenters.js';
import { jobUrls } from './signed-urls.js';

const HEARTBEAT_MS = 15_000;
/** What an EventSource waits before it reconnects after the server ends a stream. */
const RECONNECT_MS = 1000;

/**
 * Sends the job now and on every change as `event: status`, then `event: end` after the final
 * status. A stream lasts at most REQUEST_TIMEOUT: a client that opened it and never reads (its
 * socket buffers take years of heartbeats before the server notices) held its stream slot for
 * as long as the job ran. At the limit the stream ends without `event: end`; an EventSource
 * reconnects after `retry` and gets the current status first, so nothing is missed.
 */
export function streamJobEvents(
  services: Services,
  job: JobRecord,
  request: FastifyRequest,
  reply: FastifyReply,
  streams: ClientSlots,
  open: Set<() => void>,
): void {
  const origin = request.headers.origin;
  const cors = services.config.corsOrigins;
  const headers = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    ...(origin && (cors.includes('*') || cors.includes(origin))
      ? { 'access-control-allow-origin': origin }
      : {}),
  };
  // HEAD: the headers a GET gets, and the end. A stream has no body for HEAD, so it stayed open
  // (with nothing to send) until the job ended.
  if (request.method === 'HEAD') {
    void reply.headers(headers).send();
    return;
  }
  // A slot per open stream (per client and in all), given back when the stream closes for any
  // reason: the job ended, the client went away, the socket failed.
  const release = streams.tryEnter(clientOf(request));
  if (release instanceof AppError) {
    void reply.headers(retryAfterHeader(release));
    throw release;
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { ...headers, connection: 'keep-alive' });
  const urls = jobUrls(services.config);
  let lastSent = '';
  let closed = false;
  const send = (j: JobRecord) => {
    if (closed) return;
    const data = JSON.stringify(statusView(j, urls));
    if (data === lastSent) return;
    lastSent = data;
    res.write(`event: status\ndata: ${data}\n\n`);
    if (isTerminalJob(j.status)) {
      res.write(`event: end\ndata: ${JSON.stringify({ status: j.status })}\n\n`);
      close();
    }
  };
  const unsubscribe = services.backends.store.subscribe(job.id, send);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const limitMs = services.config.security.requestTimeoutS * 1000;
  const limit =
    limitMs > 0
      ? setTimeout(() => {
          res.write(`: the stream time limit was reached; reconnect\nretry: ${RECONNECT_MS}\n\n`);
          close();
        }, limitMs)
      : undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(limit);
    unsubscribe();
    release();
    open.delete(close);
    res.end();
  };
  open.add(close);
  request.raw.on('close', close);
  res.on('close', close);
  res.on('error', close);
  send(job);
  // A change may have landed between the read and the subscription.
  void services.backends.store.get(job.id).then(
    (j) => j && send(j),
    () => undefined,
  );
}
