import type { FastifyRequest } from 'fastify';
import type { Services } from '../container.js';
import type { JobRecord } from '../domain/job.js';
import { InputError, NotFoundError } from '../errors.js';
import { isJobId } from '../storage/paths.js';
import { canAccessJob } from './access.js';

/**
 * The one way a route loads a job: a bad id is 400; a job that does not exist and a job of
 * another key are the same 404 (so job ids cannot be probed across keys).
 */
export async function loadOwnedJob(
  services: Services,
  request: FastifyRequest,
  id: string,
): Promise<JobRecord> {
  if (!isJobId(id)) throw new InputError('BAD_JOB_ID', 'job ids are UUIDs');
  const job = await services.backends.store.get(id);
  if (!job || !canAccessJob(request.principal, job)) throw new NotFoundError(`no job ${id}`);
  return job;
}

/** Throws the same 404 as `loadOwnedJob` when the request may not see this job. */
export function assertOwnsJob(request: FastifyRequest, job: JobRecord): void {
  if (!canAccessJob(request.principal, job)) throw new NotFoundError(`no job ${job.id}`);
}
