import fs from 'node:fs/promises';
import path from 'node:path';

/** Song directory names of an evaluation corpus (those holding a mixture.wav), optionally filtered by a comma list. */
export async function listSongs(corpus: string, only?: string): Promise<string[]> {
  const wanted = only ? new Set(only.split(',')) : undefined;
  const entries = await fs.readdir(corpus, { withFileTypes: true });
  const songs: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || (wanted && !wanted.has(e.name))) continue;
    try {
      await fs.access(path.join(corpus, e.name, 'mixture.wav'));
      songs.push(e.name);
    } catch {
      // not a song directory
    }
  }
  return songs.sort();
}
