import { isIP } from 'node:net';

/**
 * The security part of the configuration (keys, URL signing, proxies, webhooks, intake limits),
 * parsed from the environment that config.ts hands over. Kept apart so config.ts stays small.
 */
export interface SecurityConfig {
  /** ADMIN_KEY: sees and acts on every job (also a valid API key). */
  adminKey: string | undefined;
  /** METRICS_KEY: when set, /metrics needs it (header or bearer); otherwise /metrics is open. */
  metricsKey: string | undefined;
  /** URL_SIGNING_SECRET: HMAC key of signed file/event URLs; derived from the keys when unset. */
  urlSigningSecret: string | undefined;
  /** SIGNED_URL_TTL: seconds a signed URL stays valid. */
  signedUrlTtlS: number;
  /**
   * TRUST_PROXY: whether X-Forwarded-For is believed. false (default), a hop count, or the
   * addresses/CIDRs of the proxies in front of the server.
   */
  trustProxy: false | number | readonly string[];
  /** WEBHOOK_SECRET: HMAC key of webhook signatures; webhooks are refused without it. */
  webhookSecret: string | undefined;
  /** WEBHOOK_ALLOW_PRIVATE: allow webhooks to loopback/private/link-local addresses. */
  webhookAllowPrivate: boolean;
  /** MAX_CONCURRENT_UPLOADS: uploads received and validated at once; more get 503 + Retry-After. */
  maxConcurrentUploads: number;
  /** MAX_QUEUED_TASKS: tasks waiting in all queues at which new uploads get 503 (0 = no limit). */
  maxQueuedTasks: number;
  /**
   * MAX_QUEUED_RENDERS: variants (and, apart, videos) queued or rendering in one API process at
   * which a request for a new one gets 503 + Retry-After (0 = no limit).
   */
  maxQueuedRenders: number;
  /**
   * REQUEST_TIMEOUT: seconds a client has to send a whole request, headers and body (0 = no
   * limit). Past it the answer is 408 and the connection is closed, so a client that sends a
   * body slowly, or stops half-way, cannot hold an upload slot or a socket for ever. The default
   * lets a 100 MB upload through at about 1.4 Mbit/s.
   */
  requestTimeoutS: number;
  /**
   * IDLE_TIMEOUT: seconds a connection may go without a byte moving while a request is being
   * received or its answer sent (0 = no limit). A body that stalls gets 408 and the connection
   * is closed; a client that stops reading its answer is cut off. Time the server spends working
   * on a received request (validating an upload) does not count.
   */
  idleTimeoutS: number;
  /**
   * SEND_TIMEOUT: seconds an answer may take from its head to its last byte (0 = no limit); past
   * it the connection is closed. IDLE_TIMEOUT cuts a client that stops reading; this one bounds a
   * client that reads just often enough not to be idle. A cut download resumes with Range. The
   * default lets a 400 MB file through at about 1 Mbit/s. Event streams have their own bound
   * (REQUEST_TIMEOUT).
   */
  sendTimeoutS: number;
  /**
   * MAX_CONNECTIONS_PER_CLIENT: open connections one address may hold (0 = no limit); one more is
   * answered 429 and closed. Connections from a TRUST_PROXY proxy are not counted (they carry
   * many clients): behind a proxy, the proxy is expected to bound them.
   */
  maxConnectionsPerClient: number;
  /** MAX_UPLOADS_PER_CLIENT: uploads one client (API key, else address) may have in progress; more get 429. */
  maxUploadsPerClient: number;
  /** MAX_EVENT_STREAMS: open event streams (SSE) in all; more get 503 + Retry-After. */
  maxEventStreams: number;
  /** MAX_EVENT_STREAMS_PER_CLIENT: open event streams per client; more get 429 + Retry-After. */
  maxEventStreamsPerClient: number;
}

type Env = Record<string, string | undefined>;

const DEFAULT_SIGNED_URL_TTL_S = 3600;
const DEFAULT_REQUEST_TIMEOUT_S = 600;
const DEFAULT_IDLE_TIMEOUT_S = 60;
const DEFAULT_SEND_TIMEOUT_S = 3600;
const DEFAULT_CONNECTIONS_PER_CLIENT = 64;
const DEFAULT_QUEUED_RENDERS = 16;
const MIN_SECRET_CHARS = 16;

export function parseSecurityConfig(env: Env, problems: string[]): SecurityConfig {
  const opt = (key: string): string | undefined => {
    const v = env[key]?.trim();
    return v ? v : undefined;
  };
  const int = (key: string, def: number, min: number, max: number): number => {
    const raw = opt(key);
    if (raw === undefined) return def;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) {
      problems.push(`${key}=${JSON.stringify(raw)}: expected an integer in [${min}, ${max}]`);
      return def;
    }
    return v;
  };
  const key = (name: string): string | undefined => {
    const v = opt(name);
    if (v !== undefined) for (const p of apiKeyProblems(name, [v])) problems.push(p);
    return v;
  };
  const secret = (key: string): string | undefined => {
    const v = opt(key);
    if (v !== undefined && v.length < MIN_SECRET_CHARS)
      problems.push(`${key}: use at least ${MIN_SECRET_CHARS} characters`);
    return v;
  };
  const allowPrivate = (opt('WEBHOOK_ALLOW_PRIVATE') ?? 'false').toLowerCase();
  if (!['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'].includes(allowPrivate))
    problems.push(`WEBHOOK_ALLOW_PRIVATE=${JSON.stringify(allowPrivate)}: expected true/false or 1/0`);
  return {
    adminKey: key('ADMIN_KEY'),
    metricsKey: key('METRICS_KEY'),
    urlSigningSecret: secret('URL_SIGNING_SECRET'),
    signedUrlTtlS: int('SIGNED_URL_TTL', DEFAULT_SIGNED_URL_TTL_S, 60, 7 * 24 * 3600),
    trustProxy: parseTrustProxy(opt('TRUST_PROXY'), problems),
    webhookSecret: secret('WEBHOOK_SECRET'),
    webhookAllowPrivate: ['1', 'true', 'yes', 'on'].includes(allowPrivate),
    maxConcurrentUploads: int('MAX_CONCURRENT_UPLOADS', 8, 1, 1024),
    maxQueuedTasks: int('MAX_QUEUED_TASKS', 200, 0, 1_000_000),
    maxQueuedRenders: int('MAX_QUEUED_RENDERS', DEFAULT_QUEUED_RENDERS, 0, 100_000),
    requestTimeoutS: int('REQUEST_TIMEOUT', DEFAULT_REQUEST_TIMEOUT_S, 0, 24 * 3600),
    idleTimeoutS: int('IDLE_TIMEOUT', DEFAULT_IDLE_TIMEOUT_S, 0, 24 * 3600),
    sendTimeoutS: int('SEND_TIMEOUT', DEFAULT_SEND_TIMEOUT_S, 0, 7 * 24 * 3600),
    maxConnectionsPerClient: int('MAX_CONNECTIONS_PER_CLIENT', DEFAULT_CONNECTIONS_PER_CLIENT, 0, 100_000),
    maxUploadsPerClient: int('MAX_UPLOADS_PER_CLIENT', 2, 1, 1024),
    maxEventStreams: int('MAX_EVENT_STREAMS', 1000, 1, 100_000),
    maxEventStreamsPerClient: int('MAX_EVENT_STREAMS_PER_CLIENT', 10, 1, 10_000),
  };
}

/**
 * A key must be written as it is sent: visible ASCII only. Node reads header values as Latin-1,
 * so a key with `é` matched only a client that sent the Latin-1 byte, never one that sent UTF-8
 * (every usual client), and a space or a control character cannot be sent in a Bearer token.
 * Keys are named by position, never shown.
 */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export function apiKeyProblems(name: string, keys: readonly string[]): string[] {
  return keys.flatMap((k, i) =>
    VISIBLE_ASCII.test(k)
      ? []
      : [
          `${name}${keys.length > 1 ? ` (key ${i + 1})` : ''}: use visible ASCII characters only (no spaces, controls or non-ASCII letters): a key is compared as sent in a header`,
        ],
  );
}

/** `false`/`0`/unset: off; an integer: that many proxy hops; otherwise a list of IPs or CIDRs. */
export function parseTrustProxy(raw: string | undefined, problems: string[]): SecurityConfig['trustProxy'] {
  if (raw === undefined || ['false', 'off', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 16) problems.push(`TRUST_PROXY=${raw}: at most 16 hops`);
    return Math.min(hops, 16);
  }
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list) {
    const [addr, bits, extra] = entry.split('/');
    const family = isIP(addr ?? '');
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (family === 0 || !okBits || extra !== undefined)
      problems.push(
        `TRUST_PROXY: "${entry}" is not an IP address or CIDR (use false, a hop count, or proxy addresses)`,
      );
  }
  return list;
}
