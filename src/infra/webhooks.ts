import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import type { JobRecord } from '../domain/job.js';
import { STAGE_NAMES } from '../domain/stage.js';
import { AppError, InputError } from '../errors.js';
import {
  BlockedAddressError,
  checkHostIsPublic,
  guardedLookup,
  isInternalAddress,
  LookupBusyError,
} from './ssrf-guard.js';

/**
 * Webhooks: a job created with `webhook_url` gets one POST with its final status.
 *
 * The body is JSON; `X-Karaoke-Timestamp` is the send time (unix seconds) and
 * `X-Karaoke-Signature: sha256=<hex>` is HMAC-SHA256(WEBHOOK_SECRET, `${timestamp}.${body}`),
 * so a receiver can check the sender and refuse replays older than a few minutes. Delivery is
 * retried with exponential backoff on network errors, 429 and 5xx; redirects are not followed;
 * internal addresses are refused unless WEBHOOK_ALLOW_PRIVATE (see ssrf-guard.ts).
 * Retries live in the process that finished the job: a crash in between loses the delivery.
 */
export const SIGNATURE_HEADER = 'x-karaoke-signature';
export const TIMESTAMP_HEADER = 'x-karaoke-timestamp';
const MAX_URL_CHARS = 2048;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * The most one delivery may take, connect to the answer's last byte. REQUEST_TIMEOUT_MS is an idle
 * time: a receiver that trickles its answer (a byte every few seconds) held the socket, and the
 * delivery's memory, for as long as it liked, one per finished job that named it.
 */
const DELIVERY_DEADLINE_MS = 30_000;
const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BASE_DELAY_MS = 1000;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Checks a client-given webhook URL; returns it normalised, or undefined when none was given. */
export async function checkWebhookUrl(
  raw: string | undefined,
  config: AppConfig,
): Promise<string | undefined> {
  const text = raw?.trim();
  if (!text) return undefined;
  if (!config.security.webhookSecret)
    throw new InputError('WEBHOOKS_DISABLED', 'this server has no WEBHOOK_SECRET; webhooks are off');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError('BAD_WEBHOOK_URL', 'webhook_url is not a URL');
  }
  if (text.length > MAX_URL_CHARS || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new InputError('BAD_WEBHOOK_URL', 'webhook_url must be an http(s) URL');
  if (url.username || url.password)
    throw new InputError('BAD_WEBHOOK_URL', 'webhook_url must not carry credentials');
  try {
    await checkHostIsPublic(url.hostname, config.security.webhookAllowPrivate);
  } catch (err) {
    if (err instanceof BlockedAddressError)
      throw new InputError('WEBHOOK_ADDRESS_BLOCKED', 'webhook_url points to an internal address');
    // The name servers are slow, failing for now (EAI_AGAIN: "temporary failure in name
    // resolution") or the resolver is busy: not the URL's fault, so not a 400.
    if (err instanceof LookupBusyError || (err as NodeJS.ErrnoException).code === 'EAI_AGAIN')
      throw new AppError(
        'WEBHOOK_LOOKUP_BUSY',
        err instanceof LookupBusyError && !err.timedOut
          ? 'too many webhook host look-ups are pending; try again shortly'
          : 'the host of webhook_url could not be resolved now; try again shortly',
        503,
      );
    throw new InputError('BAD_WEBHOOK_URL', 'the host of webhook_url cannot be resolved');
  }
  return url.toString();
}

export function webhookPayload(job: JobRecord): Record<string, unknown> {
  return {
    event: 'job.finished',
    job_id: job.id,
    status: job.status,
    finished_at: job.finished_at ?? job.updated_at,
    summary: job.summary,
    stages: Object.fromEntries(STAGE_NAMES.map((s) => [s, job.stages[s].status])),
    ...(job.error ? { error: job.error } : {}),
    links: { status: `/api/status/${job.id}`, results: `/api/results/${job.id}` },
  };
}

export interface WebhookSenderOptions {
  secret: string;
  allowPrivate: boolean;
  log?: Logger;
  attempts?: number;
  baseDelayMs?: number;
  /** The most one delivery may take (default DELIVERY_DEADLINE_MS). */
  deadlineMs?: number;
}

/** Sends webhooks in the background; `close` stops pending retries. */
export class WebhookSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly opts: WebhookSenderOptions) {}

  /** Fire and forget: delivery and retries happen in the background. */
  notify(job: JobRecord): void {
    if (!job.webhook_url || this.closed) return;
    this.attempt(job.webhook_url, JSON.stringify(webhookPayload(job)), job.id, 1);
  }

  /** Resolves when nothing is being sent or waiting to be retried (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0) {
      await Promise.allSettled([...this.inFlight]);
      if (this.timers.size > 0) await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private attempt(url: string, body: string, jobId: string, n: number): void {
    const attempts = this.opts.attempts ?? DEFAULT_ATTEMPTS;
    const p = this.send(url, body).then(
      (status) => {
        if (status >= 200 && status < 300) {
          this.opts.log?.info({ jobId, status, attempt: n }, 'webhook delivered');
          return;
        }
        const retry = status === 429 || status >= 500;
        this.retryOrGiveUp(url, body, jobId, n, attempts, retry, `HTTP ${status}`);
      },
      (err: unknown) => {
        const retry = !(err instanceof BlockedAddressError);
        this.retryOrGiveUp(url, body, jobId, n, attempts, retry, (err as Error).message);
      },
    );
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private retryOrGiveUp(
    url: string,
    body: string,
    jobId: string,
    n: number,
    attempts: number,
    retry: boolean,
    reason: string,
  ): void {
    if (!retry || n >= attempts || this.closed) {
      this.opts.log?.warn({ jobId, attempt: n, reason }, 'webhook not delivered');
      return;
    }
    const delay = (this.opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS) * 2 ** (n - 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.attempt(url, body, jobId, n + 1);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  /** One POST; resolves with the status code. */
  private send(target: string, body: string): Promise<number> {
    const url = new URL(target);
    // An address literal is connected to without a lookup: check it here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!this.opts.allowPrivate && net.isIP(literal) !== 0 && isInternalAddress(literal))
      return Promise.reject(new BlockedAddressError(`${literal} is an internal address`));
    const timestamp = Math.floor(Date.now() / 1000);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method: 'POST',
          timeout: REQUEST_TIMEOUT_MS,
          lookup: guardedLookup(this.opts.allowPrivate) as unknown as typeof import('node:dns').lookup,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'karaoke-backend-webhook',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signWebhook(this.opts.secret, timestamp, body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
          // Cut before its end (the deadline destroyed it) without an error event: still settled.
          res.on('close', () => {
            if (!res.complete) reject(new Error('the webhook answer was cut short'));
          });
        },
      );
      const deadlineMs = this.opts.deadlineMs ?? DELIVERY_DEADLINE_MS;
      const deadline = setTimeout(
        () => req.destroy(new Error(`webhook took longer than ${deadlineMs} ms`)),
        deadlineMs,
      );
      deadline.unref();
      req.on('close', () => clearTimeout(deadline));
      req.on('timeout', () => req.destroy(new Error('webhook timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
