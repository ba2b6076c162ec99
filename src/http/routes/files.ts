import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { InputError, NotFoundError } from '../../errors.js';
import { notModified, rangeAllowed, validatorsOf } from '../conditional.js';
import { contentDisposition, contentTypeOf } from '../content-types.js';
import { loadOwnedJob } from '../job-lookup.js';
import { openablePublicFile } from '../public-files.js';
import { parseRange } from '../range.js';
import { errorResponses, SignedUrlQuery } from '../schemas.js';

const FileParams = Type.Object({
  job_id: Type.String({ format: 'uuid' }),
  // Documented as the path parameter `path` (openapi.ts); a client may percent-encode its slashes.
  '*': Type.String({ description: 'Path inside the job directory, e.g. stems/vocals.wav' }),
});

/** A file body: sent as a stream (or nothing, for HEAD), documented as bytes. */
const Bytes = Type.Unsafe<Readable | undefined>({ type: 'string', format: 'binary' });
/** What a job directory holds: audio, JSON results, lyric files (contentTypeOf decides per file). */
const FileBody = {
  description: 'the file (audio/wav for stems; the Content-Type header names the exact type)',
  content: {
    'audio/*': { schema: Bytes },
    'application/json': { schema: Bytes },
    'text/*': { schema: Bytes },
    'application/octet-stream': { schema: Bytes },
  },
};
const FileHeaders = {
  'content-length': Type.Integer(),
  'accept-ranges': Type.Literal('bytes'),
  etag: Type.String({ description: 'strong; for If-None-Match and If-Range' }),
  'last-modified': Type.String(),
};

export function fileRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/api/files/:job_id/*',
      schema: {
        operationId: 'downloadFile',
        summary: 'Download a file of a job (supports HEAD, Range, If-Range and If-None-Match)',
        tags: ['files'],
        params: FileParams,
        querystring: SignedUrlQuery,
        response: {
          200: { ...FileBody, headers: FileHeaders },
          206: { ...FileBody, description: 'the requested byte range', headers: FileHeaders },
          304: Type.Null({ description: 'not modified (If-None-Match or If-Modified-Since): no body' }),
          416: errorResponses[400],
          ...errorResponses,
        },
      },
      exposeHeadRoute: false,
      config: { access: 'signed-file' },
      handler: async (request, reply) => {
        const params = request.params;
        const job = await loadOwnedJob(services, request, params.job_id);
        const rel = params['*'];
        // Only the job's known outputs (never job.json, temp files, dotfiles, work/ or symlinks).
        const file = await openablePublicFile(services.config.storageDir, job, rel);
        if (!file) throw new NotFoundError(`no file "${rel}" in job ${job.id}`);
        // Opened once, and everything read from the handle: a DELETE of the job between the check
        // and the read (a race any client can make) was a 500, the stat or the stream's open
        // failing; an open file stays readable when it is removed. No link since the check either.
        const handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW).catch(() => {
          throw new NotFoundError(`no file "${rel}" in job ${job.id}`);
        });
        let streaming = false;
        try {
          const stat = await handle.stat();
          if (!stat.isFile()) throw new NotFoundError(`no file "${rel}" in job ${job.id}`);
          const { size } = stat;
          const validators = validatorsOf(stat);
          reply.header('accept-ranges', 'bytes').header('content-type', contentTypeOf(file));
          reply.header('etag', validators.etag).header('last-modified', validators.lastModified);
          if (notModified(request.headers, validators)) return reply.status(304).send(null);
          reply.header('content-disposition', contentDisposition(rel.split('/').pop() ?? ''));
          let start = 0;
          let end = size - 1;
          const rangeHeader = request.headers.range;
          if (rangeHeader && rangeAllowed(request.headers, validators)) {
            const range = parseRange(rangeHeader, size);
            if (range === 'unsatisfiable') {
              reply.header('content-range', `bytes */${size}`);
              throw new InputError('RANGE_NOT_SATISFIABLE', `the file has ${size} bytes`, 416);
            }
            if (range) {
              ({ start, end } = range);
              reply.status(206).header('content-range', `bytes ${start}-${end}/${size}`);
            }
          }
          reply.header('content-length', String(Math.max(0, end - start + 1)));
          if (request.method === 'HEAD' || size === 0) return reply.send(undefined);
          streaming = true;
          // The stream closes the handle when it ends, fails or is destroyed (a client gone).
          return reply.send(handle.createReadStream({ start, end }));
        } finally {
          if (!streaming) await handle.close();
        }
      },
    });
  };
}
