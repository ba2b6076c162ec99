import fs from 'node:fs/promises';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { AppError, InputError } from '../../errors.js';
import { intakeFile } from '../../ingest/intake.js';
import { parseJobOptions } from '../../ingest/options.js';
import { ownerForNewJob } from '../access.js';
import { intakeRefusal, refusalError, RETRY_AFTER_S, type IntakeGate } from '../intake-gate.js';
import { jobLinks } from '../presenters.js';
import { errorResponses, ProcessAccepted } from '../schemas.js';
import { jobUrls } from '../signed-urls.js';
import { receiveUpload } from '../upload.js';
import { checkWebhookUrl } from '../../infra/webhooks.js';

const ProcessForm = Type.Object({
  file: Type.String({ format: 'binary', description: 'The song: mp3, wav, m4a, flac, ogg or opus' }),
  lyrics: Type.Optional(
    Type.String({ description: 'Known lyrics, one lyric line per line: aligned instead of transcribed' }),
  ),
  language: Type.Optional(Type.String({ description: 'ISO 639-1 code, or "auto" (default)' })),
  stages: Type.Optional(
    Type.String({ description: 'Comma-separated: separation,transcription,beats (default: all)' }),
  ),
  whisper_model: Type.Optional(Type.String({ description: 'tiny|base|small|medium|large-v3-turbo' })),
  separation_engine: Type.Optional(Type.String({ description: 'auto|htdemucs|dsp' })),
  webhook_url: Type.Optional(
    Type.String({
      description:
        'http(s) URL that receives a signed POST with the final status (needs WEBHOOK_SECRET on the server)',
    }),
  ),
});

/** Room for the form's text fields and multipart framing beside the file itself. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

export function processRoutes(services: Services, gate: IntakeGate): FastifyPluginAsync {
  const { config } = services;
  const urls = jobUrls(config);
  const submitted = services.metrics.counter('karaoke_jobs_submitted_total', 'Jobs accepted');
  const rejected = services.metrics.counter(
    'karaoke_uploads_rejected_total',
    'Uploads rejected, by error code',
    ['code'],
  );
  return async (app) => {
    app.post(
      '/api/process',
      {
        schema: {
          summary: 'Upload a song and start a job',
          description:
            'multipart/form-data. The file is streamed to disk and validated (size, type, content, decode probe) before a job exists. ' +
            'A Content-Length over the limit is refused with 413 before the body is read; a busy server answers 503 with Retry-After.',
          tags: ['jobs'],
          consumes: ['multipart/form-data'],
          body: ProcessForm,
          response: { 202: ProcessAccepted, ...errorResponses },
        },
        // The multipart body is read as a stream by the handler; the schema above documents it.
        validatorCompiler: () => () => true,
      },
      async (request, reply) => {
        let release: (() => void) | undefined;
        try {
          refuseEarly(request, config.maxFileSize);
          release = gate.tryEnter();
          if (!release) {
            throw new AppError('BUSY', `${gate.max} uploads are in progress; try again shortly`, 503);
          }
          const refusal = await intakeRefusal(services);
          if (refusal) throw refusalError(refusal);
          const upload = await receiveUpload(request, config);
          let parsed;
          let webhookUrl: string | undefined;
          try {
            parsed = parseJobOptions(upload.fields);
            webhookUrl = await checkWebhookUrl(upload.fields.webhook_url, config);
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
        } catch (err) {
          if (err instanceof AppError) {
            rejected({ code: err.code });
            if (err.status === 503 || err.status === 507) reply.header('retry-after', String(RETRY_AFTER_S));
            // Refused before or while the body arrives: close, so the client stops sending it.
            if (err.status === 413 || err.status === 503 || err.status === 507)
              reply.header('connection', 'close');
          }
          throw err;
        } finally {
          release?.();
        }
      },
    );
  };
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
