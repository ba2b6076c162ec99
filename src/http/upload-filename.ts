import { displayText } from '../domain/display-text.js';
import { InputError } from '../errors.js';

/**
 * The one rule for the name a client gives its upload. The name is only a label (the file is
 * stored as original.<ext>, never under it), but it is stored on the job and echoed in every
 * status, list and report, so what is kept must be safe to show and of bounded size:
 *  - the last path segment only (`/` and `\`: `../../x.wav` is `x.wav`);
 *  - NFC, without control and bidirectional characters (`displayText`, domain/display-text.ts);
 *  - spaces at either end trimmed;
 *  - at most MAX_FILENAME_CHARS characters: longer is 400 FILENAME_TOO_LONG (it was stored
 *    whole: a 5000-character name came back in every status).
 * Bytes that are not UTF-8 arrive as U+FFFD (the multipart parser decodes names as UTF-8).
 */
export const MAX_FILENAME_CHARS = 255;

export function uploadFilename(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? '';
  const name = displayText(last).trim();
  const chars = [...name].length;
  if (chars > MAX_FILENAME_CHARS)
    throw new InputError(
      'FILENAME_TOO_LONG',
      `the file name has ${chars} characters; at most ${MAX_FILENAME_CHARS} are accepted`,
    );
  return name;
}
