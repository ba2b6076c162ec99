import type { PcmAudio } from '../../src/audio/pcm.js';
import { testConfig, type AppConfig } from '../../src/config.js';
import type { JobOptions, StageContext, StageName } from '../../src/domain/stage.js';
import { silentLogger } from '../../src/infra/logger.js';
import { jobFileWriter } from '../../src/storage/files.js';
import type { JobPaths } from '../../src/storage/paths.js';

/**
 * A StageContext for calling one stage directly in a test: test config, silent log, progress
 * recorded in `progress`. The caller names the stage, the job directory and what loadMix returns.
 */
export interface TestStageContext {
  ctx: StageContext;
  progress: number[];
}

export function stageContext(opts: {
  stage: StageName;
  paths: JobPaths;
  jobId?: string;
  options?: Partial<JobOptions>;
  config?: Partial<AppConfig>;
  signal?: AbortSignal;
  loadMix: () => Promise<PcmAudio>;
}): TestStageContext {
  const progress: number[] = [];
  const ctx: StageContext = {
    jobId: opts.jobId ?? 'test',
    paths: opts.paths,
    options: { stages: [opts.stage], ...opts.options },
    config: testConfig(opts.config),
    signal: opts.signal ?? new AbortController().signal,
    log: silentLogger(),
    progress: (p) => progress.push(p),
    loadMix: opts.loadMix,
    write: jobFileWriter(opts.paths),
  };
  return { ctx, progress };
}
