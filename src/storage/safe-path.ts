import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Resolve a client-given relative path inside a root directory, or return undefined.
 * The path arrives already URL-decoded once; anything that still looks encoded (a `%`),
 * any `..` segment, a backslash, a NUL, an absolute path, or a real path (after symlinks)
 * outside the root is refused.
 */
export async function resolveInside(root: string, rel: string): Promise<string | undefined> {
  if (!rel || rel.length > 512) return undefined;
  if (/[%\\\0]/.test(rel) || rel.startsWith('/') || path.isAbsolute(rel)) return undefined;
  const segments = rel.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) return undefined;
  if (segments.some((s) => s.startsWith('.'))) return undefined; // no hidden or temp files
  const candidate = path.resolve(root, ...segments);
  try {
    const [realRoot, realFile] = await Promise.all([fs.realpath(root), fs.realpath(candidate)]);
    if (!realFile.startsWith(realRoot + path.sep)) return undefined;
    const st = await fs.stat(realFile);
    return st.isFile() ? realFile : undefined;
  } catch {
    return undefined;
  }
}
