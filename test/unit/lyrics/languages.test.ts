import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WHISPER_LANGUAGES } from '../../../src/engines/transcription/languages.js';

/** The library keeps its list in a module it does not export; read it as text. */
function libraryLanguages(): string[] {
  const entry = createRequire(import.meta.url).resolve('@huggingface/transformers');
  const root = entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`));
  const source = fs.readFileSync(path.join(root, 'src/models/whisper/common_whisper.js'), 'utf8');
  const list = source.split('const WHISPER_LANGUAGES = [')[1]?.split('];')[0] ?? '';
  return [...list.matchAll(/\['([a-z]+)', '[a-z ]+'\]/g)].map((m) => m[1]!);
}

describe('the languages the transcriber takes', () => {
  it('are exactly the Whisper languages of the installed transformers.js', () => {
    const library = libraryLanguages();
    expect(library.length).toBeGreaterThan(90);
    expect([...WHISPER_LANGUAGES]).toEqual(library);
  });
});
