import type { JobRecord } from '../../src/domain/job.js';
import type { JobOptions, StageName } from '../../src/domain/stage.js';

type Status = JobRecord['stages'][StageName]['status'];

/** A prepared job record with just what stage ordering reads: options and each stage's status
 * (given, else pending when requested and skipped when not). */
export function stageJob(options: JobOptions, status: Partial<Record<StageName, Status>>): JobRecord {
  const stage = (s: StageName) => ({
    status: status[s] ?? (options.stages.includes(s) ? 'pending' : 'skipped'),
  });
  return {
    prepared: true,
    options,
    stages: { separation: stage('separation'), transcription: stage('transcription'), beats: stage('beats') },
  } as unknown as JobRecord;
}
