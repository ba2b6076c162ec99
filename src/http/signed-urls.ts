import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config.js';

/**
 * Short-lived signed URLs for what a browser fetches without headers (<audio>, download links,
 * EventSource): `?exp=<unix s>&sig=<HMAC-SHA256>` over the scope, the job, the file and the
 * expiry. A signature is good for that one resource of that one job until it expires; it never
 * carries the API key (a key in a query string ends up in logs and browser history).
 *
 * Expiries are rounded up to a minute, so the links of one job stay the same for a minute
 * (an SSE stream does not resend an unchanged status, and browsers can cache the audio).
 */
export type SignedScope = 'file' | 'events';

const EXPIRY_BUCKET_S = 60;

export interface JobUrls {
  /** Whether URLs are signed (API keys are on). */
  readonly signed: boolean;
  file(jobId: string, rel: string): string;
  events(jobId: string): string;
  /** Whether `sig` is a valid, unexpired signature of that resource. */
  verify(scope: SignedScope, jobId: string, rel: string, exp: string, sig: string, nowS?: number): boolean;
}

const cache = new WeakMap<AppConfig, JobUrls>();

/** The URL builder of a configuration (one per config; the secret is derived once). */
export function jobUrls(config: AppConfig): JobUrls {
  let urls = cache.get(config);
  if (!urls) {
    urls = makeJobUrls(config);
    cache.set(config, urls);
  }
  return urls;
}

function makeJobUrls(config: AppConfig): JobUrls {
  const signed = config.apiKeys.length > 0 || config.security.adminKey !== undefined;
  const secret = signingSecret(config);
  const ttl = config.security.signedUrlTtlS;
  const mac = (scope: SignedScope, jobId: string, rel: string, exp: string) =>
    createHmac('sha256', secret).update(`${scope}\n${jobId}\n${rel}\n${exp}`).digest('base64url');
  const sign = (scope: SignedScope, jobId: string, rel: string, base: string) => {
    if (!signed) return base;
    const nowS = Math.floor(Date.now() / 1000);
    const exp = String(Math.ceil((nowS + ttl) / EXPIRY_BUCKET_S) * EXPIRY_BUCKET_S);
    return `${base}?exp=${exp}&sig=${mac(scope, jobId, rel, exp)}`;
  };
  return {
    signed,
    file: (jobId, rel) =>
      sign('file', jobId, rel, `/api/files/${jobId}/${rel.split('/').map(encodeURIComponent).join('/')}`),
    events: (jobId) => sign('events', jobId, '', `/api/jobs/${jobId}/events`),
    verify: (scope, jobId, rel, exp, sig, nowS = Math.floor(Date.now() / 1000)) => {
      if (!signed || !/^\d{1,12}$/.test(exp) || Number(exp) < nowS) return false;
      if (Number(exp) > nowS + ttl + EXPIRY_BUCKET_S) return false;
      const want = Buffer.from(mac(scope, jobId, rel, exp));
      const got = Buffer.from(sig);
      return want.length === got.length && timingSafeEqual(want, got);
    },
  };
}

/**
 * URL_SIGNING_SECRET, or one derived from the configured keys: every API process of a
 * deployment shares the keys, so they all accept each other's URLs without another setting.
 */
function signingSecret(config: AppConfig): Buffer {
  if (config.security.urlSigningSecret) return Buffer.from(config.security.urlSigningSecret);
  const keys = [...config.apiKeys, config.security.adminKey ?? ''].sort().join('\n');
  return createHash('sha256').update(`karaoke-url-signing\n${keys}`).digest();
}
