import type { JobRecord } from '../domain/job.js';
import type { JobUrls } from './signed-urls.js';

/** Job records as the API shows them. URLs a browser opens without headers come signed when keys are on. */
export function jobLinks(id: string, urls: JobUrls): Record<string, string> {
  return {
    status: `/api/status/${id}`,
    results: `/api/results/${id}`,
    events: urls.events(id),
    files: `/api/files/${id}/`,
  };
}

export function statusView(job: JobRecord, urls: JobUrls) {
  return {
    job_id: job.id,
    status: job.status,
    progress: job.progress,
    current_step: job.current_step,
    created_at: job.created_at,
    updated_at: job.updated_at,
    ...(job.started_at ? { started_at: job.started_at } : {}),
    ...(job.finished_at ? { finished_at: job.finished_at } : {}),
    original_filename: job.original_filename,
    file_ext: job.file_ext,
    original_url: urls.file(job.id, `original.${job.file_ext}`),
    file_size: job.file_size,
    audio_duration: job.audio_duration,
    requested_stages: job.options.stages,
    stages: job.stages,
    summary: job.summary,
    // The seed's flat fields, for clients written against it.
    ...job.summary,
    warnings: job.warnings,
    ...(job.error ? { error: job.error } : {}),
    links: jobLinks(job.id, urls),
  };
}
