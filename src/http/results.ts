import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobRecord } from '../domain/job.js';
import { STAGE_NAMES } from '../domain/stage.js';
import { jobPaths, type JobPaths } from '../storage/paths.js';
import { completedVariants } from '../variants/service.js';
import { contentTypeOf } from './content-types.js';
import type {
  BeatAnalysisDoc,
  NotInlined,
  ReportDoc,
  ResultsView,
  TranscriptionDoc,
  VideoResult,
} from './result-schemas.js';
import { readVideoRecords } from '../video/service.js';
import { openablePublicFile, REPORT_FILE } from './public-files.js';
import type { JobUrls } from './signed-urls.js';

/** The results document: every produced file with its download URL, plus the JSON results inline. */
const INLINE_LIMIT_BYTES = 5 * 1024 * 1024;

export interface FileEntry {
  path: string;
  url: string;
  size: number;
  content_type: string;
}

export async function resultsView(job: JobRecord, storageDir: string, urls: JobUrls): Promise<ResultsView> {
  const paths = jobPaths(storageDir, job.id);
  const entry = async (rel: string): Promise<FileEntry | undefined> => {
    try {
      const file = await openablePublicFile(storageDir, job, rel);
      if (!file) return undefined;
      const st = await fs.stat(file);
      return {
        path: rel,
        url: urls.file(job.id, rel),
        size: st.size,
        content_type: contentTypeOf(rel),
      };
    } catch {
      return undefined;
    }
  };
  const files: FileEntry[] = [];
  const stems: Record<string, FileEntry> = {};
  for (const s of STAGE_NAMES) {
    for (const [name, rel] of Object.entries(job.stages[s].outputs)) {
      const e = await entry(rel);
      if (!e) continue;
      files.push(e);
      if (s === 'separation') stems[name] = e;
    }
  }
  const variants: ResultsView['variants'] = [];
  for (const v of await completedVariants(paths)) {
    const vf: Record<string, FileEntry> = {};
    for (const [name, rel] of Object.entries(v.files)) {
      const e = rel ? await entry(rel) : undefined;
      if (e) vf[name] = e;
    }
    if (!vf.instrumental) continue;
    variants.push({
      variant_id: v.variant_id,
      params: v.params,
      files: vf,
      links: { self: `/api/jobs/${job.id}/variants/${v.variant_id}` },
    });
  }
  const report = await entry(REPORT_FILE);
  if (report) files.push(report);
  const original = await entry(`original.${job.file_ext}`);
  if (original) files.push(original);
  return {
    job_id: job.id,
    status: job.status,
    summary: job.summary,
    stems,
    original: original ?? null,
    transcription: await inlineJson<TranscriptionDoc>(
      paths.dir,
      job.stages.transcription.outputs.transcription,
    ),
    beat_analysis: await inlineJson<BeatAnalysisDoc>(paths.dir, job.stages.beats.outputs.analysis),
    files,
    variants,
    stages: job.stages,
    report: await inlineJson<ReportDoc>(paths.dir, report ? REPORT_FILE : undefined),
    videos: await videoResults(paths, entry),
  };
}

/** The completed videos of the job, each with its MP4 and ASS (entry() checks they are served). */
async function videoResults(
  paths: JobPaths,
  entry: (rel: string) => Promise<FileEntry | undefined>,
): Promise<VideoResult[]> {
  const out: VideoResult[] = [];
  for (const rec of await readVideoRecords(paths)) {
    if (rec.status !== 'completed' || !rec.files.video) continue;
    const video = await entry(rec.files.video);
    if (!video) continue;
    const ass = rec.files.ass ? await entry(rec.files.ass) : undefined;
    out.push({ video_id: rec.video_id, params: rec.params, video, ass: ass ?? null });
  }
  return out;
}

/** A JSON file the stages wrote, typed by its schema (the writers are tested against it). */
async function inlineJson<T>(dir: string, rel: string | undefined): Promise<T | NotInlined | null> {
  if (!rel) return null;
  try {
    const file = path.join(dir, rel);
    const st = await fs.stat(file);
    if (st.size > INLINE_LIMIT_BYTES) return { too_large_to_inline: true, url: rel };
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
