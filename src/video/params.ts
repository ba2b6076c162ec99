import { createHash } from 'node:crypto';
import { displayText } from '../domain/display-text.js';
import { InputError } from '../errors.js';
import { isVariantId } from '../variants/params.js';

/**
 * What a karaoke video is: the audio it plays (the instrumental, or a rendered variant), the
 * frame size and the title card. The id is a hash of the normalised parameters, so the same
 * request is the same video (cached: rendered once).
 */
export const VIDEO_SIZES = { '480p': [854, 480], '720p': [1280, 720], '1080p': [1920, 1080] } as const;
export type VideoSize = keyof typeof VIDEO_SIZES;
export const VIDEO_SIZE_NAMES = Object.keys(VIDEO_SIZES) as VideoSize[];
export const DEFAULT_VIDEO_SIZE: VideoSize = '720p';
/** Longer titles do not fit a title card line. */
export const TITLE_MAX = 200;

export interface VideoParams {
  /** A variant of the job (its id), or null for the job's own instrumental. */
  variant: string | null;
  size: VideoSize;
  title: string | null;
  artist: string | null;
}

export function parseVideoParams(body: unknown): VideoParams {
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body)))
    throw new InputError('BAD_VIDEO', 'the body must be a JSON object');
  const b = (body ?? {}) as Record<string, unknown>;
  const variant = b.variant ?? null;
  if (variant !== null && (typeof variant !== 'string' || !isVariantId(variant)))
    throw new InputError('BAD_VIDEO', 'variant must be a variant id (v- and 16 hex digits) or null');
  const size = b.size ?? DEFAULT_VIDEO_SIZE;
  if (typeof size !== 'string' || !Object.hasOwn(VIDEO_SIZES, size))
    throw new InputError('BAD_VIDEO', `size must be one of ${VIDEO_SIZE_NAMES.join(', ')}`);
  return {
    variant,
    size: size as VideoSize,
    title: text(b.title, 'title'),
    artist: text(b.artist, 'artist'),
  };
}

function text(v: unknown, name: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > TITLE_MAX)
    throw new InputError('BAD_VIDEO', `${name} must be a string of at most ${TITLE_MAX} characters`);
  // One line, shown as text (no control or bidirectional characters, NFC); a blank title is no
  // title card.
  const s = displayText(v.replace(/\s+/g, ' ')).trim();
  return s === '' ? null : s;
}

export function videoId(p: VideoParams): string {
  const canonical = JSON.stringify([p.variant, p.size, p.title, p.artist]);
  return `vid-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

export function isVideoId(id: string): boolean {
  return /^vid-[0-9a-f]{16}$/.test(id);
}
