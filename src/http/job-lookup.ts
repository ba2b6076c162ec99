import type { Services } from '../container.js';
import type { JobRecord } from '../domain/job.js';
import { InputError, NotFoundError } from '../errors.js';
import { isJobId } from '../storage/paths.js';

export async function findJob(services: Services, id: string): Promise<JobRecord> {
  if (!isJobId(id)) throw new InputError('BAD_JOB_ID', 'job ids are UUIDs');
  const job = await services.backends.store.get(id);
  if (!job) throw new NotFoundError(`no job ${id}`);
  return job;
}
