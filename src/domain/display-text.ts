/**
 * The one rule for text a client gives that is stored and shown to people (an upload's file
 * name, a video's title and artist, known lyrics): Unicode NFC, so one text has one spelling
 * (and one cache key); no control characters (C0, DEL, C1: NUL, CR/LF, BEL, ESC) and no
 * bidirectional controls (U+202E turned `x<RLO>gpj.wav` into "xvaw.jpg" on screen), which are
 * removed.
 */
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}]`, 'g');
/** The same without LF, for text of several lines. */
const UNSAFE_IN_LINES = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f${BIDI}]`, 'g');

export function displayText(raw: string): string {
  return raw.normalize('NFC').replace(UNSAFE, '');
}

/** displayText for lines of text (lyrics): CRLF and CR become LF, a tab a space; lines are kept. */
export function displayLines(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\v\f]/g, ' ')
    .normalize('NFC')
    .replace(UNSAFE_IN_LINES, '');
}
