import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/**
 * A fixed number of slots (uploads in progress, open event streams) shared fairly: at most
 * `perClient` of them to one client, so one client cannot take them all. A refusal says which
 * limit was met: the client's own (429) or everyone's (503); both carry Retry-After.
 */
export const RETRY_AFTER_S = 10;

export class ClientSlots {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    /** What the slots are for, in refusal messages ("uploads", "event streams"). */
    readonly what: string,
    readonly max: number,
    readonly perClient: number,
  ) {}

  /** A release function (idempotent), or the AppError to answer with. */
  tryEnter(client: string): (() => void) | AppError {
    const mine = this.byClient.get(client) ?? 0;
    if (mine >= this.perClient)
      return new AppError(
        'TOO_MANY_CONCURRENT',
        `this client has ${mine} ${this.what} in progress (limit ${this.perClient}); try again when one ends`,
        429,
      );
    if (this.total >= this.max)
      return new AppError('BUSY', `${this.max} ${this.what} are in progress; try again shortly`, 503);
    this.total++;
    this.byClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    };
  }

  get busy(): number {
    return this.total;
  }
}

/**
 * Who a request counts as for these limits: its API key's owner when it has one (a key used
 * from many addresses is still one client), else its address (X-Forwarded-For only from
 * trusted proxies, see TRUST_PROXY).
 */
export function clientOf(request: FastifyRequest): string {
  const p = request.principal as FastifyRequest['principal'] | null;
  // A key's owner is one client, also when it sends a signed URL with its key (access.ts).
  const owner = p?.kind === 'key' || p?.kind === 'signed' ? p.owner : undefined;
  return owner !== undefined ? `key:${owner}` : `ip:${request.ip}`;
}

/** The headers of a refusal by ClientSlots (or any 429/503): when to come back. */
export function retryAfterHeader(err: AppError): Record<string, string> {
  return err.status === 429 || err.status === 503 ? { 'retry-after': String(RETRY_AFTER_S) } : {};
}
