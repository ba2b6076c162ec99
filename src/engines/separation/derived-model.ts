import fs from 'node:fs/promises';
import { writeFileAtomic } from '../../storage/files.js';

/**
 * A rewritten copy of the model at `modelPath`, kept at `dest` (a name that carries the source's
 * checksum and the rewriter's version): written on first use under a temporary name and renamed, so
 * a concurrent reader never sees half a file; a non-empty file already there is reused as it is.
 */
export async function ensureDerivedModel<R>(
  dest: string,
  modelPath: string,
  rewrite: (bytes: Uint8Array) => { model: Uint8Array; report: R },
): Promise<{ path: string; created: boolean; report?: R }> {
  try {
    if ((await fs.stat(dest)).size > 0) return { path: dest, created: false };
  } catch {
    // not there yet
  }
  const { model, report } = rewrite(await fs.readFile(modelPath));
  await writeFileAtomic(dest, model);
  return { path: dest, created: true, report };
}
