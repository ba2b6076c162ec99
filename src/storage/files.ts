/**
 * @file Every file the service writes goes through here: to a temp name in the same
 * directory, fsync'd unless told not to, then renamed into place, so a reader (or a restart)
 * never sees half a file.
 */

import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobPaths } from './paths.js';

/** Write a file atomically: temp name in the same directory, fsync (unless told not to), rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: { fsync?: boolean } = {}): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    if (opts.fsync !== false) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonAtomic(file: string, value: unknown, opts: { fsync?: boolean } = {}): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, opts);
}

/**
 * Removes a directory tree. A render still writing into a job directory while it is deleted
 * made a plain recursive rm fail with ENOTEMPTY (a 500 on DELETE); Node retries those.
 */
export async function removeTree(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as T;
}

/** Writes one file of a job directory; returns its path relative to the job directory. */
export type JobFileWriter = (file: string, data: string | Uint8Array) => Promise<string>;

/** A writer for one job directory (what stages get as `ctx.write`): atomic, fsync'd, and only inside the directory. */
export function jobFileWriter(paths: JobPaths): JobFileWriter {
  return async (file, data) => {
    const rel = paths.rel(file);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel))
      throw new RangeError(`${file} is outside the job directory`);
    await writeFileAtomic(file, data);
    return rel;
  };
}

/**
 * Puts a finished file or directory in place with one rename (same file system): a verified
 * download, a validated upload, results moved out of a scratch directory. `replace` removes
 * what is there first (a directory cannot be renamed over).
 */
export async function moveInto(from: string, to: string, opts: { replace?: boolean } = {}): Promise<void> {
  if (opts.replace) await fs.rm(to, { recursive: true, force: true });
  await fs.rename(from, to);
}
