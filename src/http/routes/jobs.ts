import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../../container.js';
import { isTerminalJob } from '../../domain/job.js';
import { AppError, NotFoundError } from '../../errors.js';
import { ownerFilter } from '../access.js';
import type { ClientSlots } from '../client-slots.js';
import { loadOwnedJob } from '../job-lookup.js';
import { statusView } from '../presenters.js';
import { resultsView } from '../results.js';
import { ResultsView } from '../result-schemas.js';
import { errorResponses, JobIdParams, JobListView, JobStatusView, SignedUrlQuery } from '../schemas.js';
import { jobUrls } from '../signed-urls.js';
import { streamJobEvents } from '../sse.js';

/** Past any real list (the store keeps jobs for JOB_TTL): `?offset=1e20` is a mistake, said as one. */
const MAX_LIST_OFFSET = 1_000_000;

const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: MAX_LIST_OFFSET, default: 0 }),
});

const Deleted = Type.Object({ job_id: Type.String({ format: 'uuid' }), deleted: Type.Boolean() });

export function jobRoutes(services: Services, streams: ClientSlots): FastifyPluginAsyncTypebox {
  const { pipeline } = services;
  const urls = jobUrls(services.config);
  return async (app) => {
    // Open event streams end when the server closes: a stream never ends by itself while its
    // job runs, and the server's close waited for every one of them (a shutdown that hung).
    const openStreams = new Set<() => void>();
    app.addHook('preClose', async () => {
      for (const close of [...openStreams]) close();
    });
    app.get(
      '/api/status/:job_id',
      {
        schema: {
          operationId: 'getJobStatus',
          summary: 'Job status and progress',
          tags: ['jobs'],
          params: JobIdParams,
          response: { 200: JobStatusView, ...errorResponses },
        },
      },
      async (request) => statusView(await loadOwnedJob(services, request, request.params.job_id), urls),
    );

    app.get(
      '/api/results/:job_id',
      {
        schema: {
          operationId: 'getJobResults',
          summary:
            'Results of a finished job: files with download URLs, transcription and beat analysis inline',
          tags: ['jobs'],
          params: JobIdParams,
          response: { 200: ResultsView, ...errorResponses },
        },
      },
      async (request) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        if (!isTerminalJob(job.status)) {
          throw new AppError(
            'JOB_NOT_FINISHED',
            `the job is ${job.status} (${job.progress}%); results are ready when it ends`,
            409,
          );
        }
        return resultsView(job, services.config.storageDir, urls);
      },
    );

    app.get(
      '/api/jobs',
      {
        schema: {
          operationId: 'listJobs',
          summary: 'Recent jobs, newest first',
          tags: ['jobs'],
          querystring: ListQuery,
          response: { 200: JobListView, ...errorResponses },
        },
      },
      async (request) => {
        const { limit, offset } = request.query;
        const owner = ownerFilter(request.principal);
        const { jobs, total } = await services.backends.store.list({ limit, offset, owner });
        return { jobs: jobs.map((j) => statusView(j, urls)), total, limit, offset };
      },
    );

    app.post(
      '/api/jobs/:job_id/cancel',
      {
        schema: {
          operationId: 'cancelJob',
          summary:
            'Cancel an unfinished job (its record stays, with status cancelled; partial outputs are removed)',
          tags: ['jobs'],
          params: JobIdParams,
          response: { 200: JobStatusView, ...errorResponses },
        },
      },
      async (request) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        if (isTerminalJob(job.status)) throw jobFinished(job.status);
        const after = await pipeline.cancel(job.id);
        if (!after) throw new NotFoundError(`no job ${job.id}`);
        // The job may have ended between the read above and the cancel's atomic update: that
        // was a 200 with `status: completed`, a cancel that did not happen.
        if (after.status !== 'cancelled') throw jobFinished(after.status);
        return statusView(after, urls);
      },
    );

    app.delete(
      '/api/jobs/:job_id',
      {
        schema: {
          operationId: 'deleteJob',
          summary: 'Delete a job and all its files (cancelling it first if it is still running)',
          tags: ['jobs'],
          params: JobIdParams,
          response: { 200: Deleted, ...errorResponses },
        },
      },
      async (request) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        await pipeline.remove(job.id);
        return { job_id: job.id, deleted: true };
      },
    );

    app.get(
      '/api/jobs/:job_id/events',
      {
        schema: {
          operationId: 'streamJobEvents',
          summary:
            'Server-sent events: a `status` event with the job on every change; ends after the final status',
          tags: ['jobs'],
          params: JobIdParams,
          querystring: SignedUrlQuery,
          response: {
            200: {
              description: 'an event stream: `event: status` + `data: <job status JSON>`',
              content: { 'text/event-stream': { schema: Type.String() } },
            },
            ...errorResponses,
          },
        },
        config: { access: 'signed-events' },
      },
      async (request, reply) => {
        const job = await loadOwnedJob(services, request, request.params.job_id);
        streamJobEvents(services, job, request, reply, streams, openStreams);
      },
    );
  };
}

function jobFinished(status: string): AppError {
  return new AppError('JOB_FINISHED', `the job already ended (${status})`, 409);
}
