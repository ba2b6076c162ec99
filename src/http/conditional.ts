import type { IncomingHttpHeaders } from 'node:http';

/**
 * Conditional requests on downloads (RFC 9110 §13): a file's validators (a strong ETag from its
 * size and modification time, and Last-Modified), `If-None-Match` / `If-Modified-Since` (304)
 * and `If-Range`. `If-Range` was ignored: a client resuming a download with the validator of
 * an older copy got 206 with bytes of the new file and stitched two files together. Now a
 * Range applies only when `If-Range` names the current file (the same strong ETag, or the same
 * Last-Modified date); otherwise the whole file is sent, as the RFC says.
 */
export interface Validators {
  etag: string;
  lastModified: string;
}

export function validatorsOf(stat: { size: number; mtimeMs: number }): Validators {
  const mtime = Math.floor(stat.mtimeMs);
  return {
    etag: `"${stat.size.toString(16)}-${mtime.toString(16)}"`,
    lastModified: new Date(mtime).toUTCString(),
  };
}

/** True when the client's copy is current (answer 304, no body). */
export function notModified(headers: IncomingHttpHeaders, v: Validators): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) return inm.trim() === '*' || tagList(inm).some((t) => opaque(t) === opaque(v.etag));
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  // A date in the future is not a date the client got from us (RFC 9110 §13.1.3: ignore it); it
  // kept a client on "not modified" through every later change of the file.
  if (!Number.isFinite(since) || since > Date.now()) return false;
  return Date.parse(v.lastModified) <= since;
}

/** Whether a Range header may be used (no If-Range, or one that names this very file). */
export function rangeAllowed(headers: IncomingHttpHeaders, v: Validators): boolean {
  const raw = headers['if-range'];
  const ifRange = (Array.isArray(raw) ? raw.join(', ') : raw)?.trim();
  if (ifRange === undefined) return true;
  // An entity tag: a strong match only (a weak tag never allows a range).
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === v.etag;
  const date = Date.parse(ifRange);
  return Number.isFinite(date) && date === Date.parse(v.lastModified);
}

function tagList(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The tag without its weakness marker (If-None-Match compares weakly). */
function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
