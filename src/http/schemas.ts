import { Type, type Static } from '@sinclair/typebox';

/** Schemas shared by the routes; every route declares params and responses with these. */
export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { $id: 'ErrorBody', description: 'Every error: a stable code and a human message.' },
);

export const JobIdParams = Type.Object({
  job_id: Type.String({ format: 'uuid', description: 'Job id (a random UUID)' }),
});
export type JobIdParams = Static<typeof JobIdParams>;

const Engine = Type.Object({
  name: Type.String(),
  version: Type.String(),
  quality: Type.String({
    description:
      'model = the real engine; fallback = degraded, labelled as such; dsp = pure signal processing',
  }),
  license: Type.Optional(Type.String()),
});

const ErrorInfo = Type.Object({ code: Type.String(), message: Type.String() });

export const StageView = Type.Object({
  status: Type.String({
    description: 'pending|queued|running|retrying|completed|failed|unavailable|skipped|cancelled',
  }),
  progress: Type.Number({ minimum: 0, maximum: 100 }),
  message: Type.Optional(Type.String()),
  engine: Type.Optional(Engine),
  attempts: Type.Integer(),
  started_at: Type.Optional(Type.String()),
  finished_at: Type.Optional(Type.String()),
  duration_s: Type.Optional(Type.Number()),
  outputs: Type.Record(Type.String(), Type.String()),
  warnings: Type.Array(Type.String()),
  error: Type.Optional(ErrorInfo),
});

export const JobStatusView = Type.Object(
  {
    job_id: Type.String(),
    status: Type.String({ description: 'queued|processing|completed|partial|failed|cancelled|corrupt' }),
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
    requested_stages: Type.Array(Type.String()),
    stages: Type.Record(Type.String(), StageView),
    summary: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'Scalar results: tempo_bpm, beat_count, time_signature, beat_confidence, rhythm_regularity, language, …',
    }),
    warnings: Type.Array(Type.String()),
    error: Type.Optional(ErrorInfo),
    links: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: true },
);

export const FileView = Type.Object({
  path: Type.String(),
  url: Type.String(),
  size: Type.Integer(),
  content_type: Type.String(),
});

export const ResultsView = Type.Object(
  {
    job_id: Type.String(),
    status: Type.String(),
    summary: Type.Record(Type.String(), Type.Unknown()),
    stems: Type.Record(Type.String(), FileView),
    original: Type.Union([Type.Null(), FileView]),
    transcription: Type.Union([Type.Null(), Type.Unknown()]),
    beat_analysis: Type.Union([Type.Null(), Type.Unknown()]),
    files: Type.Array(FileView),
    stages: Type.Record(Type.String(), StageView),
    report: Type.Union([Type.Null(), Type.Unknown()]),
  },
  { additionalProperties: true },
);

export const ProcessAccepted = Type.Object({
  job_id: Type.String(),
  status: Type.String(),
  stages: Type.Array(Type.String()),
  warnings: Type.Array(Type.String()),
  links: Type.Record(Type.String(), Type.String()),
});

export const JobListView = Type.Object({
  jobs: Type.Array(JobStatusView),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
  503: ErrorBody,
  507: ErrorBody,
};
