/**
 * The one rule for text a client gives that is stored and shown to people (an upload's file
 * name, a video's title and artist): Unicode NFC, so one text has one spelling (and one cache
 * key); no control characters (C0, DEL, C1: NUL, CR/LF, BEL, ESC) and no bidirectional controls
 * (U+202E turned `x<RLO>gpj.wav` into "xvaw.jpg" on screen), which are removed.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function displayText(raw: string): string {
  return raw.normalize('NFC').replace(UNSAFE, '');
}
