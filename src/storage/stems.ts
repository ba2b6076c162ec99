import fs from 'node:fs/promises';
import type { JobPaths, StemFile } from './paths.js';

/**
 * The WAV file a later stage (transcription, variants) reads for a stem: the 16-bit copy in
 * stems/.source/ that the separation stage keeps when the published stems are FLAC, MP3 or Opus,
 * else the published WAV itself (16-bit, 24-bit or float: decodeWav reads them all). Readers
 * therefore never decode a lossy file, and a default job reads exactly what it always did.
 * Undefined when neither exists.
 */
export async function readableStem(paths: JobPaths, name: StemFile): Promise<string | undefined> {
  for (const file of [paths.stemSource(name), paths.stem(name)]) {
    try {
      if ((await fs.stat(file)).isFile()) return file;
    } catch {
      // try the next
    }
  }
  return undefined;
}
