import { InputError } from '../errors.js';

/**
 * The one rule for the name a client gives its upload. The name is only a label (the file is
 * stored as original.<ext>, never under it), but it is stored on the job and echoed in every
 * status, list and report, so what is kept must be safe to show and of bounded size:
 *  - the last path segment only (`/` and `\`: `../../x.wav` is `x.wav`);
 *  - Unicode NFC, so one name has one spelling;
 *  - no control characters (C0, DEL, C1: NUL, CR/LF, BEL, ESC) and no bidirectional controls
 *    (U+202E turned `x<RLO>gpj.wav` into "xvaw.jpg" on screen), which are removed;
 *  - spaces at either end trimmed;
 *  - at most MAX_FILENAME_CHARS characters: longer is 400 FILENAME_TOO_LONG (it was stored
 *    whole: a 5000-character name came back in every status).
 * Bytes that are not UTF-8 arrive as U+FFFD (the multipart parser decodes names as UTF-8).
 */
export const MAX_FILENAME_CHARS = 255;

// eslint-disable-next-line no-control-regex -- control characters are what this removes
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function uploadFilename(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? '';
  const name = last.normalize('NFC').replace(UNSAFE, '').trim();
  const chars = [...name].length;
  if (chars > MAX_FILENAME_CHARS)
    throw new InputError(
      'FILENAME_TOO_LONG',
      `the file name has ${chars} characters; at most ${MAX_FILENAME_CHARS} are accepted`,
    );
  return name;
}
