import type { Transcript } from '../engines/transcription/timeline.js';
import { exportLines, oneLine } from './lines.js';
import { srtTime } from './timefmt.js';

/** SubRip: one numbered cue per lyric line (CRLF-free; every player accepts LF). */
export function renderSrt(t: Transcript): string {
  return exportLines(t)
    .map((l, i) => `${i + 1}\n${srtTime(l.start)} --> ${srtTime(l.end)}\n${oneLine(l.text)}\n`)
    .join('\n');
}
