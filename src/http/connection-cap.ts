import { BlockList, isIP, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { SecurityConfig } from '../config-security.js';
import { RETRY_AFTER_S } from './client-slots.js';
import { rawErrorAnswer } from './error-handler.js';

/**
 * MAX_CONNECTIONS_PER_CLIENT: the open connections one address may hold. Node's
 * `server.maxConnections` is one number for everyone, and the rate limit counts requests, not
 * sockets, so one address could hold every socket and file descriptor the process has.
 * A connection over the cap is never given to the HTTP parser (nothing of it is routed): it is
 * answered 429 TOO_MANY_CONNECTIONS with Retry-After and closed. Its request, if it sent one, is
 * read and dropped for a moment first, so the client sees the answer rather than a reset.
 * Connections from a TRUST_PROXY proxy are not counted: each carries many clients (a hop count
 * trusts every peer, which turns the cap off).
 */
const LINGER_MS = 1000;

export function installConnectionCap(
  app: FastifyInstance,
  {
    maxConnectionsPerClient: cap,
    trustProxy,
  }: Pick<SecurityConfig, 'maxConnectionsPerClient' | 'trustProxy'>,
): void {
  if (cap <= 0 || typeof trustProxy === 'number') return;
  const proxies = proxyList(trustProxy === false ? [] : trustProxy);
  const open = new Map<string, number>();
  const accept = app.server.listeners('connection') as ((socket: Socket) => void)[];
  app.server.removeAllListeners('connection');
  app.server.on('connection', (socket: Socket) => {
    const address = plainAddress(socket.remoteAddress);
    if (address === undefined || proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')) {
      for (const listener of accept) listener.call(app.server, socket);
      return;
    }
    const count = open.get(address) ?? 0;
    if (count >= cap) {
      refuse(socket, cap);
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
    for (const listener of accept) listener.call(app.server, socket);
  });
}

function refuse(socket: Socket, cap: number): void {
  const message = `this address has ${cap} connections open (the limit); reuse one or try again when one closes`;
  socket.on('error', () => undefined);
  socket.resume();
  socket.end(rawErrorAnswer(429, 'TOO_MANY_CONNECTIONS', message, { 'Retry-After': String(RETRY_AFTER_S) }));
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** `::ffff:127.0.0.1` is the IPv4 address it maps. */
function plainAddress(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** TRUST_PROXY's addresses and CIDRs (validated by config-security.ts). */
function proxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}
