/**
 * @file Schemas shared by the routes; every route declares params, body and responses with these,
 * and the TypeBox type provider types each handler from them (see docs/ARCHITECTURE.md, "HTTP").
 * Closed sets are enums built from the constants that define them (domain/, the engine tables), so
 * the API, the validators and the code cannot disagree.
 */

import {
  Kind,
  Type,
  TypeRegistry,
  type NumberOptions,
  type SchemaOptions,
  type Static,
  type TSchema,
  type TUnsafe,
} from '@sinclair/typebox';
import { JOB_STATUSES, STAGE_STATUSES } from '../domain/job.js';
import { ENGINE_QUALITIES, STAGE_NAMES, type StageName as StageKey } from '../domain/stage.js';
import { separationEngineChoices } from '../engines/separation/engines.js';
import { AUDIO_FORMATS, FORMAT_TABLE } from '../infra/audio-formats.js';
import { WHISPER_SIZES } from '../engines/transcription/whisper.js';

/** A closed set of strings as a plain `enum` (OpenAPI-friendly; TypeBox unions become `anyOf`). */
export function StringEnum<T extends string>(values: readonly T[], options: SchemaOptions = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ [Kind]: 'StringEnum', type: 'string', enum: [...values], ...options });
}
// So that TypeBox's own checker (Value.Check) knows the kind too, not only Ajv.
if (!TypeRegistry.Has('StringEnum'))
  TypeRegistry.Set<{ enum: unknown[] }>('StringEnum', (schema, value) => schema.enum.includes(value));

/**
 * A number or null, as one schema with a type list. Fastify's Ajv coerces types, and in an
 * `anyOf` of number and null it tries the number first and turns null into 0; with a type
 * list, null is already one of the types and stays null (and 0 stays 0).
 */
export function NullableNumber(options: NumberOptions = {}): TUnsafe<number | null> {
  return Type.Unsafe<number | null>({ [Kind]: 'NullableNumber', ...options, type: ['number', 'null'] });
}
if (!TypeRegistry.Has('NullableNumber'))
  TypeRegistry.Set<NumberOptions>(
    'NullableNumber',
    (schema, value) =>
      value === null ||
      (typeof value === 'number' &&
        Number.isFinite(value) &&
        !(schema.minimum !== undefined && value < schema.minimum) &&
        !(schema.maximum !== undefined && value > schema.maximum)),
  );

/** An object with one property per stage. */
export function PerStage<T extends TSchema>(schema: T) {
  return Type.Object(Object.fromEntries(STAGE_NAMES.map((s) => [s, schema])) as Record<StageKey, T>);
}

export const StageName = StringEnum(STAGE_NAMES);
export const JobStatus = StringEnum(JOB_STATUSES);
export const StageStatus = StringEnum(STAGE_STATUSES, {
  description:
    'unavailable: the engine cannot run here (reason in error); skipped: not requested or nothing to do',
});
/** From the separation engine table (engines/separation/engines.ts): auto + every engine's name. */
export const SeparationEngineChoice = StringEnum(separationEngineChoices);
export const WhisperSize = StringEnum(WHISPER_SIZES);
/** From the format table (infra/audio-formats.ts): stems' and variants' file formats. */
export const AudioFormatChoice = StringEnum(AUDIO_FORMATS, {
  description: AUDIO_FORMATS.map((f) => `${f}: ${FORMAT_TABLE[f].description}`).join('; '),
});

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { $id: 'ErrorBody', description: 'Every error: a stable code and a human message.' },
);

export const JobIdParams = Type.Object({
  job_id: Type.String({ format: 'uuid', description: 'Job id (a random UUID)' }),
});
export type JobIdParams = Static<typeof JobIdParams>;

/**
 * What a file or event-stream URL may carry: the signature of a signed URL (signed-urls.ts),
 * which every such URL in a response has when API keys are on. Nothing else (query.ts).
 */
export const SignedUrlQuery = Type.Object({
  exp: Type.Optional(Type.String({ description: 'expiry of a signed URL, in Unix seconds' })),
  sig: Type.Optional(Type.String({ description: 'signature of a signed URL (HMAC-SHA256, base64url)' })),
});

/** A page for people (the player): links to it may carry anything (campaign tags, cache-busters). */
export const FreeQuery = Type.Object({}, { additionalProperties: true });

export const Engine = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    quality: StringEnum(ENGINE_QUALITIES, {
      description:
        'model = the real engine; fallback = degraded, labelled as such; dsp = pure signal processing',
    }),
    license: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const ErrorInfo = Type.Object({ code: Type.String(), message: Type.String() });

export const StageView = Type.Object(
  {
    status: StageStatus,
    progress: Type.Number({ minimum: 0, maximum: 100 }),
    message: Type.Optional(Type.String()),
    engine: Type.Optional(Engine),
    attempts: Type.Integer(),
    queued_at: Type.Optional(Type.String()),
    started_at: Type.Optional(Type.String()),
    finished_at: Type.Optional(Type.String()),
    duration_s: Type.Optional(Type.Number()),
    outputs: Type.Record(Type.String(), Type.String(), {
      description: 'Output name → path inside the job directory (download it under /api/files/{job_id}/)',
    }),
    warnings: Type.Array(Type.String()),
    error: Type.Optional(ErrorInfo),
  },
  { additionalProperties: true },
);

/** The scalar results the stages copy onto the job; every key is optional (a stage may not have run). */
export const JobSummary = Type.Object(
  {
    separation_engine: Type.Optional(Type.String()),
    separation_quality: Type.Optional(Type.String()),
    stem_format: Type.Optional(
      Type.String({ description: "the stems' file format (STEM_FORMAT or stem_format)" }),
    ),
    transcription_engine: Type.Optional(Type.String()),
    language: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    word_count: Type.Optional(Type.Integer()),
    lyrics_source: Type.Optional(Type.String()),
    timing_score: Type.Optional(Type.Number()),
    tempo_bpm: Type.Optional(Type.Number()),
    beat_count: Type.Optional(Type.Integer()),
    time_signature: Type.Optional(Type.String()),
    beats_per_bar: Type.Optional(Type.Integer()),
    beat_confidence: Type.Optional(Type.Number()),
    beats_source: Type.Optional(Type.String({ description: 'what the beats were tracked on: mix or drums' })),
    meter_confidence: Type.Optional(Type.Number()),
    rhythm_regularity: Type.Optional(Type.Number()),
  },
  { additionalProperties: true, description: 'Scalar results copied from the stages' },
);

export const JobStatusView = Type.Object(
  {
    job_id: Type.String({ format: 'uuid' }),
    status: JobStatus,
    progress: Type.Number({ minimum: 0, maximum: 100 }),
    current_step: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
    started_at: Type.Optional(Type.String()),
    finished_at: Type.Optional(Type.String()),
    original_filename: Type.String(),
    file_ext: Type.String(),
    original_url: Type.String({ description: 'Download URL of the uploaded file' }),
    file_size: Type.Integer(),
    audio_duration: Type.Number(),
    requested_stages: Type.Array(StageName),
    stages: PerStage(StageView),
    summary: JobSummary,
    warnings: Type.Array(Type.String()),
    error: Type.Optional(ErrorInfo),
    links: Type.Record(Type.String(), Type.String()),
  },
  {
    additionalProperties: true,
    description: 'The summary keys are also repeated at the top level, for older clients.',
  },
);

export const ProcessAccepted = Type.Object({
  job_id: Type.String({ format: 'uuid' }),
  status: JobStatus,
  stages: Type.Array(StageName),
  warnings: Type.Array(Type.String()),
  links: Type.Record(Type.String(), Type.String()),
});

export const JobListView = Type.Object({
  jobs: Type.Array(JobStatusView),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

/**
 * What a route may answer besides its success. 405, 408, 414, 417, 431, 501 and 505 come before the
 * route runs (another method on its path, REQUEST_TIMEOUT or IDLE_TIMEOUT, a path segment too
 * long, an unknown Expect, headers too long, a transfer coding other than chunked, HTTP/2 in
 * HTTP/1 framing: methods.ts,
 * error-handler.ts, protocol.ts, request-head.ts), with the same body. 429 and 503 carry
 * Retry-After.
 */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  405: ErrorBody,
  408: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  414: ErrorBody,
  415: ErrorBody,
  417: ErrorBody,
  422: ErrorBody,
  429: ErrorBody,
  431: ErrorBody,
  500: ErrorBody,
  501: ErrorBody,
  503: ErrorBody,
  505: ErrorBody,
  507: ErrorBody,
};
