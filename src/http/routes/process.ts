import fs from 'node:fs/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { AppError, InputError, quotedName } from '../../errors.js';
import { WHISPER_LANGUAGES } from '../../engines/transcription/languages.js';
import { intakeFile } from '../../ingest/intake.js';
import { parseJobOptions, STAGE_ALIASES } from '../../ingest/options.js';
import { checkWebhookUrl } from '../../infra/webhooks.js';
import { ownerForNewJob } from '../access.js';
import { clientOf, RETRY_AFTER_S, retryAfterHeader, type ClientSlots } from '../client-slots.js';
import { intakeRefusal, refusalError } from '../intake-gate.js';
import { jobLinks } from '../presenters.js';
import {
  AudioFormatChoice,
  errorResponses,
  ProcessAccepted,
  SeparationEngineChoice,
  WhisperSize,
} from '../schemas.js';
import { jobUrls } from '../signed-urls.js';
import { receiveUpload, type ReceivedUpload } from '../upload.js';
import { unknownProperty } from '../validation.js';

const STAGE_CHOICES = ['all', ...STAGE_ALIASES.keys()].join(', ');

/**
 * Lengths checked before the patterns: a pattern with two `\s*` around an optional group
 * backtracks quadratically, and a 1 MB `stages` of spaces held the event loop for minutes
 * (40 000 spaces: 1.6 s). Ajv checks `maxLength` first and stops there.
 */
const MAX_SHORT_FIELD_CHARS = 1000;
const MAX_URL_CHARS = 2048;

/** The text fields of the form. Field names match RawOptions; a bad field is refused as BAD_<FIELD>. */
const ProcessFields = Type.Object({
  lyrics: Type.Optional(
    Type.String({
      description:
        'Known lyrics, one lyric line per line: aligned instead of transcribed. With curl: `-F lyrics=<lyrics.txt`',
    }),
  ),
  language: Type.Optional(
    Type.String({
      maxLength: MAX_SHORT_FIELD_CHARS,
      pattern: '^\\s*([A-Za-z]{2,3}|[Aa][Uu][Tt][Oo])\\s*$',
      description: `A language the transcriber knows, or "auto" (default): ${WHISPER_LANGUAGES.join(', ')}`,
      examples: ['en', 'auto'],
    }),
  ),
  stages: Type.Optional(
    Type.String({
      maxLength: MAX_SHORT_FIELD_CHARS,
      pattern: '^\\s*(\\[.*\\]|[A-Za-z_]+(\\s*,\\s*[A-Za-z_]+)*)?\\s*$',
      description: `Comma-separated list (or JSON array) of ${STAGE_CHOICES} (default: all). A stage's dependencies are added.`,
      examples: ['beats', 'separation,transcription'],
    }),
  ),
  whisper_model: Type.Optional(WhisperSize),
  separation_engine: Type.Optional(SeparationEngineChoice),
  stem_format: Type.Optional(AudioFormatChoice),
  input: Type.Optional(
    Type.Union([Type.Literal('mixture'), Type.Literal('vocals')], {
      description: 'mixture (default) | vocals: the file is a vocals stem, aligned without separation',
    }),
  ),
  beats_source: Type.Optional(
    Type.Union([Type.Literal('mix'), Type.Literal('drums')], {
      description:
        "mix | drums: track beats on the mixture, or on the separated drums + bass stems (beats then wait for separation, which is added). Default: the server's BEATS_SOURCE when separation runs, else mix",
    }),
  ),
  webhook_url: Type.Optional(
    Type.String({
      maxLength: MAX_URL_CHARS,
      description:
        'http(s) URL that receives a signed POST with the final status (needs WEBHOOK_SECRET on the server)',
    }),
  ),
});

/** Room for the form's text fields and multipart framing beside the file itself. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

/** Closed, as the JSON bodies are: a misspelt field (`stage=beats`) is refused, not ignored. */
const ProcessForm = Type.Composite(
  [
    Type.Object({
      file: Type.String({ format: 'binary', description: 'The song: mp3, wav, m4a, flac, ogg or opus' }),
    }),
    ProcessFields,
  ],
  { additionalProperties: false },
);

export function processRoutes(services: Services, gate: ClientSlots): FastifyPluginAsyncTypebox {
  const { config } = services;
  const urls = jobUrls(config);
  const submitted = services.metrics.counter('karaoke_jobs_submitted_total', 'Jobs accepted');
  const rejected = services.metrics.counter(
    'karaoke_uploads_rejected_total',
    'Uploads rejected, by error code',
    ['code'],
  );
  const uploads = new WeakMap<FastifyRequest, ReceivedUpload>();
  /** The intake slot each request holds, given back when its response is sent (or it aborts). */
  const slots = new WeakMap<FastifyRequest, () => void>();
  const releaseSlot = (request: FastifyRequest) => slots.get(request)?.();
  return async (app) => {
    app.post(
      '/api/process',
      {
        schema: {
          operationId: 'processSong',
          summary: 'Upload a song and start a job',
          description:
            'multipart/form-data. The file is streamed to disk and validated (size, type, content, decode probe) before a job exists. ' +
            'A Content-Length over the limit is refused with 413 before the body is read; a busy server answers 503 with Retry-After. ' +
            'Audio longer than MAX_DURATION_S is 413 TOO_LONG; a compressed file that decodes to more samples than the longest song in 7.1 at 48 kHz (channels × rate × duration) is 413 TOO_MANY_SAMPLES.',
          tags: ['jobs'],
          consumes: ['multipart/form-data'],
          body: ProcessForm,
          response: { 202: ProcessAccepted, ...errorResponses },
        },
        // The file is streamed to a temp file first (never held in memory); the body that the
        // schema then validates is the form's text fields plus the file's name.
        preValidation: async (request, reply) => {
          try {
            refuseEarly(request, config.maxFileSize);
            const release = gate.tryEnter(clientOf(request));
            if (release instanceof AppError) throw release;
            slots.set(request, release);
            const refusal = await intakeRefusal(services);
            if (refusal) throw refusalError(refusal);
            const upload = await receiveUpload(request, config);
            uploads.set(request, upload);
            request.body = { ...upload.fields, file: upload.filename };
          } catch (err) {
            // Headers before the error handler sends the answer (onError runs after it).
            if (err instanceof AppError) refusalHeaders(reply, err);
            throw err;
          }
        },
        // A failed validation reaches the handler, which removes the temp file.
        attachValidation: true,
        onError: async (_request, _reply, err) => {
          if (err instanceof AppError) rejected({ code: err.code });
        },
        onResponse: async (request) => releaseSlot(request),
        onRequestAbort: async (request) => releaseSlot(request),
      },
      async (request, reply) => {
        const upload = uploads.get(request);
        if (!upload) throw new Error('the upload was not received');
        let parsed;
        let webhookUrl: string | undefined;
        try {
          if (request.validationError) throw fieldError(request.validationError);
          parsed = parseJobOptions(request.body, {}, { beatsSource: config.beatsSource });
          webhookUrl = await checkWebhookUrl(request.body.webhook_url, config);
        } catch (err) {
          await fs.rm(upload.tmpFile, { force: true });
          throw err;
        }
        const job = await intakeFile(services, {
          file: upload.tmpFile,
          filename: upload.filename,
          options: parsed.options,
          warnings: parsed.warnings,
          move: true,
          owner: ownerForNewJob(request.principal),
          webhookUrl,
        });
        submitted();
        request.log.info(
          { jobId: job.id, file: job.original_filename, stages: job.options.stages },
          'job accepted',
        );
        return reply
          .status(202)
          .header('location', `/api/status/${job.id}`)
          .send({
            job_id: job.id,
            status: job.status,
            stages: job.options.stages,
            warnings: job.warnings,
            links: jobLinks(job.id, urls),
          });
      },
    );
  };
}

/** A schema failure of a form field, with the code the same mistake gets from the CLI (BAD_<FIELD>). */
function fieldError(err: Error & Pick<FastifyError, 'validation'>): InputError {
  const first = err.validation?.[0];
  const extra = first && unknownProperty(first);
  if (extra !== undefined) {
    const accepted = ['file', ...Object.keys(ProcessFields.properties)].join(', ');
    return new InputError(
      'UNKNOWN_FIELD',
      `the form field ${quotedName(extra)} is not known (the form takes ${accepted})`,
    );
  }
  const field = first?.instancePath.replace(/^\//, '').split('/')[0] ?? '';
  const known = Object.hasOwn(ProcessFields.properties, field)
    ? ProcessFields.properties[field as keyof typeof ProcessFields.properties]
    : undefined;
  if (!first || !known) return new InputError('VALIDATION_ERROR', err.message);
  const { allowedValues: allowed, limit } = first.params as { allowedValues?: unknown[]; limit?: number };
  const detail = allowed
    ? `must be one of ${allowed.join(', ')}`
    : first.keyword === 'maxLength'
      ? `is longer than ${limit} characters`
      : `is not valid: ${known.description ?? first.message ?? 'bad value'}`;
  return new InputError(`BAD_${field.toUpperCase()}`, `${field} ${detail}`);
}

/** Refused before or while the body arrives: say when to retry, and close so the client stops sending. */
function refusalHeaders(reply: FastifyReply, err: AppError): void {
  reply.headers(retryAfterHeader(err));
  if (err.status === 507) reply.header('retry-after', String(RETRY_AFTER_S));
  if ([413, 429, 503, 507].includes(err.status)) reply.header('connection', 'close');
}

/** A declared body larger than any acceptable upload is refused before a byte of it is read. */
function refuseEarly(request: FastifyRequest, maxFileSize: number): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxFileSize + FORM_OVERHEAD_BYTES) {
    throw new InputError(
      'FILE_TOO_LARGE',
      `the request (${declared} bytes) is larger than the limit of ${maxFileSize} bytes`,
      413,
    );
  }
}
