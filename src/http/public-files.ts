import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobRecord } from '../domain/job.js';
import { STAGE_NAMES } from '../domain/stage.js';
import { jobPaths } from '../storage/paths.js';

/**
 * The files of a job the API serves: an allowlist built from the record (the original, every
 * output a stage recorded, the report). Anything else in the job directory (job.json, temp
 * files, dotfiles, work/, a symlink someone put there) is never served, whatever its name.
 * A stage that writes a new public file records it in its outputs and it is served. A
 * completed instrumental variant's files (listed in its variants/{id}/variant.json) and a completed
 * karaoke video's (video/{id}/video.json) are served too.
 */
export const REPORT_FILE = 'report.json';

export function publicFiles(job: JobRecord): string[] {
  const out = new Set<string>([`original.${job.file_ext}`]);
  for (const s of STAGE_NAMES) {
    for (const rel of Object.values(job.stages[s]?.outputs ?? {})) if (isPlainRel(rel)) out.add(rel);
  }
  out.add(REPORT_FILE);
  return [...out];
}

/** The absolute path of a public file that exists as a regular file (not a symlink), or undefined. */
export async function openablePublicFile(
  storageDir: string,
  job: JobRecord,
  rel: string,
): Promise<string | undefined> {
  const root = jobPaths(storageDir, job.id).dir;
  if (!publicFiles(job).includes(rel) && !(await isRenderedFile(root, rel))) return undefined;
  const file = path.join(root, ...rel.split('/'));
  try {
    // No link anywhere on the way: each directory and the file itself must be what they look like.
    let at = root;
    for (const seg of rel.split('/')) {
      at = path.join(at, seg);
      const st = await fs.lstat(at);
      if (st.isSymbolicLink()) return undefined;
    }
    const st = await fs.lstat(file);
    return st.isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** A relative path of plain segments: no `..`, no hidden/temp names, no backslashes. */
function isPlainRel(rel: string): boolean {
  if (typeof rel !== 'string' || rel === '' || rel.length > 512 || /[\\\0%]/.test(rel)) return false;
  return rel.split('/').every((s) => s !== '' && !s.startsWith('.') && s !== '..' && !s.endsWith('.tmp'));
}

/** Renders made on request: their directory, id pattern and state file. */
const RENDERED = [
  { dir: 'variants', id: 'v-[0-9a-f]{16}', state: 'variant.json' },
  { dir: 'video', id: 'vid-[0-9a-f]{16}', state: 'video.json' },
] as const;

/** Whether `rel` is a file that a completed variant or video of the job lists (variants/{id}/…, video/{id}/…). */
async function isRenderedFile(root: string, rel: string): Promise<boolean> {
  if (!isPlainRel(rel)) return false;
  for (const r of RENDERED) {
    const m = new RegExp(`^${r.dir}/(${r.id})/[^/]+$`).exec(rel);
    if (!m) continue;
    try {
      const state = path.join(root, r.dir, m[1], r.state);
      if ((await fs.lstat(state)).isSymbolicLink()) return false;
      const rec = JSON.parse(await fs.readFile(state, 'utf8')) as { status?: unknown; files?: unknown };
      if (rec.status !== 'completed' || typeof rec.files !== 'object' || rec.files === null) return false;
      return Object.values(rec.files as Record<string, unknown>).includes(rel);
    } catch {
      return false;
    }
  }
  return false;
}
