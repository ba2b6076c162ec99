import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The one rule for what a temp file looks like, whoever wrote it: `name.<hex>.tmp` (atomic
 * writes), `.name.<pid>.tmp` and `name.tmp-<pid>` (stage writers). They are never served
 * (public-files.ts serves only recorded outputs) and are swept: after every stage attempt, at
 * start-up and by the cleanup loop.
 */
const TEMP_NAME = /(\.tmp|\.tmp-\d+)$/;

export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Removes temp files under `dir` (recursively, never following links) that were last modified
 * before `olderThanMs` ago (0: all). Returns how many were removed.
 */
export async function removeTempFiles(dir: string, olderThanMs = 0, now = Date.now()): Promise<number> {
  let removed = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) removed += await removeTempFiles(full, olderThanMs, now);
    else if ((e.isFile() || e.isSymbolicLink()) && isTempName(e.name)) {
      if (olderThanMs > 0) {
        const st = await fs.lstat(full).catch(() => undefined);
        if (!st || now - st.mtimeMs < olderThanMs) continue;
      }
      await fs.rm(full, { force: true });
      removed++;
    }
  }
  return removed;
}
