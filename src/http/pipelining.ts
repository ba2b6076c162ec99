import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * HTTP/1.1 pipelining: a client may send requests without waiting for the answers, and Node
 * parses every request of a received chunk at once and answers each in turn, holding the
 * answers not yet sent in memory. 5000 `GET /docs/json` in one 200 KB write, never read, grew
 * the process by more than 1 GB. A connection with more than MAX_PIPELINED answers not yet
 * handed to the kernel is closed (the answers already sent stay sent); clients that pipeline
 * a few requests, or none, are not affected.
 */
export const MAX_PIPELINED = 32;

export function installPipeliningLimit(app: FastifyInstance): void {
  const pending = new WeakMap<Socket, number>();
  // In front of Fastify's own listener, so a request over the limit is not routed at all
  // (the parser goes on emitting the rest of a chunk's requests after the socket is closed).
  const routed = app.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  app.server.removeAllListeners('request');
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (socket.destroyed) return;
    const count = (pending.get(socket) ?? 0) + 1;
    pending.set(socket, count);
    let done = false;
    const settle = () => {
      if (done) return;
      done = true;
      pending.set(socket, (pending.get(socket) ?? 1) - 1);
    };
    res.once('finish', settle);
    res.once('close', settle);
    if (count > MAX_PIPELINED) {
      socket.destroy();
      return;
    }
    for (const listener of routed) listener.call(app.server, req, res);
  });
}
