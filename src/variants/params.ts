import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { AUDIO_FORMATS, type AudioFormat } from '../infra/audio-formats.js';

/**
 * What a variant is: a key shift, a tempo factor, an optional guide vocal level and a format.
 * The id is a hash of the normalised parameters, so the same request is the same variant
 * (cached: rendered once).
 */
export const VARIANT_FORMATS = AUDIO_FORMATS;
export type VariantFormat = AudioFormat;

export interface VariantParams {
  semitones: number;
  tempo: number;
  /** Lead vocal level in dB mixed into the instrumental (a guide), or null for none. */
  vocal_db: number | null;
  format: VariantFormat;
}

export const SEMITONES_MAX = 6;
export const TEMPO_MIN = 0.5;
export const TEMPO_MAX = 1.5;
export const VOCAL_DB_MIN = -60;

export function parseVariantParams(body: unknown): VariantParams {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b))
    throw new InputError('BAD_VARIANT', 'the body must be a JSON object');
  const semitones = b.semitones ?? 0;
  if (typeof semitones !== 'number' || !Number.isInteger(semitones) || Math.abs(semitones) > SEMITONES_MAX)
    throw new InputError(
      'BAD_VARIANT',
      `semitones must be an integer from -${SEMITONES_MAX} to ${SEMITONES_MAX}`,
    );
  const tempo = b.tempo ?? 1;
  if (typeof tempo !== 'number' || !Number.isFinite(tempo) || tempo < TEMPO_MIN || tempo > TEMPO_MAX)
    throw new InputError('BAD_VARIANT', `tempo must be a number from ${TEMPO_MIN} to ${TEMPO_MAX}`);
  const vocal = b.vocal_db ?? null;
  if (
    vocal !== null &&
    (typeof vocal !== 'number' || !Number.isFinite(vocal) || vocal < VOCAL_DB_MIN || vocal > 0)
  )
    throw new InputError('BAD_VARIANT', `vocal_db must be a number from ${VOCAL_DB_MIN} to 0, or null`);
  const format = b.format ?? 'wav';
  if (typeof format !== 'string' || !(VARIANT_FORMATS as readonly string[]).includes(format))
    throw new InputError('BAD_VARIANT', `format must be one of ${VARIANT_FORMATS.join(', ')}`);
  return {
    semitones,
    // Three decimals: 0.9 and 0.9000001 are the same variant.
    tempo: Math.round(tempo * 1000) / 1000,
    vocal_db: vocal === null ? null : Math.round(vocal * 10) / 10,
    format: format as VariantFormat,
  };
}

export function variantId(p: VariantParams): string {
  const canonical = JSON.stringify([p.semitones, p.tempo, p.vocal_db, p.format]);
  return `v-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

export function isVariantId(id: string): boolean {
  return /^v-[0-9a-f]{16}$/.test(id);
}
