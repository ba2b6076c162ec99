import fs from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { AppError } from '../../errors.js';
import { intakeFile } from '../../ingest/intake.js';
import { parseJobOptions } from '../../ingest/options.js';
import { jobLinks } from '../presenters.js';
import { errorResponses, ProcessAccepted } from '../schemas.js';
import { receiveUpload } from '../upload.js';

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
  input: Type.Optional(
    Type.String({
      description: 'mixture (default) | vocals: the file is a vocals stem, aligned without separation',
    }),
  ),
});

export function processRoutes(services: Services): FastifyPluginAsync {
  const { config } = services;
  const submitted = services.metrics.counter('karaoke_jobs_submitted_total', 'Jobs accepted');
  const rejected = services.metrics.counter(
    'karaoke_uploads_rejected_total',
    'Uploads rejected, by error code',
  );
  return async (app) => {
    app.post(
      '/api/process',
      {
        schema: {
          summary: 'Upload a song and start a job',
          description:
            'multipart/form-data. The file is streamed to disk and validated (size, type, content, decode probe) before a job exists.',
          tags: ['jobs'],
          consumes: ['multipart/form-data'],
          body: ProcessForm,
          response: { 202: ProcessAccepted, ...errorResponses },
        },
        // The multipart body is read as a stream by the handler; the schema above documents it.
        validatorCompiler: () => () => true,
      },
      async (request, reply) => {
        await ensureDiskSpace(services);
        try {
          const upload = await receiveUpload(request, config);
          let parsed;
          try {
            parsed = parseJobOptions(upload.fields);
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
              links: jobLinks(job.id),
            });
        } catch (err) {
          if (err instanceof AppError) rejected({ code: err.code });
          throw err;
        }
      },
    );
  };
}

async function ensureDiskSpace(services: Services): Promise<void> {
  const { config } = services;
  if (config.minFreeDiskMb <= 0) return;
  try {
    await fs.mkdir(config.storageDir, { recursive: true });
    const s = await fs.statfs(config.storageDir);
    const freeMb = (s.bavail * s.bsize) / (1024 * 1024);
    if (freeMb < config.minFreeDiskMb + config.maxFileSize / (1024 * 1024)) {
      throw new AppError('INSUFFICIENT_STORAGE', 'the server is low on disk space; try again later', 507);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
  }
}
