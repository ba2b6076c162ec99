import type { JobRecord } from '../domain/job.js';
import { STAGE_NAMES } from '../domain/stage.js';

/** report.json: what ran, with which engine, how long it took, and everything worth a warning. */
export function buildReport(job: JobRecord, appVersion: string) {
  const stages = Object.fromEntries(
    STAGE_NAMES.map((s) => {
      const st = job.stages[s];
      return [
        s,
        {
          status: st.status,
          engine: st.engine ?? null,
          attempts: st.attempts,
          started_at: st.started_at ?? null,
          finished_at: st.finished_at ?? null,
          duration_s: st.duration_s ?? null,
          outputs: st.outputs,
          warnings: st.warnings,
          error: st.error ?? null,
        },
      ];
    }),
  );
  const warnings = [
    ...job.warnings,
    ...STAGE_NAMES.flatMap((s) => job.stages[s].warnings.map((w) => `${s}: ${w}`)),
    ...STAGE_NAMES.filter((s) => job.stages[s].error && job.options.stages.includes(s)).map(
      (s) => `${s} ${job.stages[s].status}: ${job.stages[s].error?.message}`,
    ),
  ];
  const missing = job.options.stages.filter((s) => job.stages[s].status !== 'completed');
  return {
    job_id: job.id,
    status: job.status,
    app_version: appVersion,
    created_at: job.created_at,
    started_at: job.started_at ?? null,
    finished_at: job.finished_at ?? null,
    wall_time_s:
      job.started_at && job.finished_at
        ? (Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000
        : null,
    input: {
      filename: job.original_filename,
      format: job.file_ext,
      size_bytes: job.file_size,
      duration_s: job.audio_duration,
    },
    options: {
      stages: job.options.stages,
      language: job.options.language ?? null,
      lyrics_given: Boolean(job.options.lyrics),
    },
    stages,
    summary: job.summary,
    qa: { missing_stages: missing },
    warnings,
  };
}
