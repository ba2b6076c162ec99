import { removeTree } from '../storage/files.js';
import type { JobPaths } from '../storage/paths.js';
import type { JobStore } from '../store/job-store.js';

/**
 * Work on a job (a stage, the decode, the report) can end after the job was deleted or
 * cancelled, and writes made as it ends create the directories they need. Called when such
 * work ends: for a deleted job its directory goes (it came back without a record, and nothing
 * would ever have removed it); for a cancelled one, what the work wrote (`written`). True when
 * the job is gone or cancelled: the work's result is not to be recorded.
 */
export async function discardIfGone(
  store: JobStore,
  jobId: string,
  paths: JobPaths,
  written: readonly string[],
): Promise<boolean> {
  const job = await store.get(jobId);
  if (job && job.status !== 'cancelled') return false;
  for (const p of job ? written : [paths.dir]) await removeTree(p);
  return true;
}
