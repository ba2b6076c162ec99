import type { Transcript } from '../engines/transcription/timeline.js';
import { exportLines, type ExportLine } from './lines.js';

/**
 * The karaoke screen layout, shared by the ASS file and the video: two rows, the line being
 * sung and the next one. Line i appears when line i−1 starts (so it is read ahead) in row
 * i mod 2, and leaves when it has been sung. After a rest the screen is a new page: the line
 * appears on a downbeat a bar or more ahead (PREVIEW_S without a beat grid), with count-in
 * beats (the last beats before its first word) when the song has a beat grid.
 */
export interface LayoutGrid {
  beats: readonly number[];
  downbeats?: readonly number[];
}

export interface LayoutLine {
  line: ExportLine;
  row: 0 | 1;
  /** When the line appears / leaves the screen. */
  show: number;
  hide: number;
  /** Count-in beat times before the first word (empty unless the line follows a rest). */
  countIn: number[];
  /** First line of a page (after a rest or at the start). */
  pageStart: boolean;
}

/** A gap this long between two lines is a rest: a new page. */
export const REST_S = 2.5;
/** A page appears this long before its first word without a beat grid. */
const PREVIEW_S = 2;
/** Count-in beats before a line after a rest. */
const COUNT_IN_BEATS = 4;
/** Lines stay this long after their last word. */
const LINGER_S = 0.4;

export function karaokeLayout(t: Transcript, grid?: LayoutGrid): LayoutLine[] {
  const lines = exportLines(t);
  const out: LayoutLine[] = [];
  let row: 0 | 1 = 0;
  lines.forEach((line, i) => {
    const prev = lines[i - 1];
    const prevOut = out[i - 1];
    const pageStart = !prev || line.start - prev.end >= REST_S;
    if (pageStart) row = 0;
    else row = prevOut.row === 0 ? 1 : 0;
    const countIn = pageStart && grid ? countInBeats(grid.beats, line.start, prev?.end ?? 0) : [];
    let show: number;
    if (!pageStart) show = prev.start;
    else {
      const earliest = Math.max(prev ? prev.end + LINGER_S : 0, 0);
      const want = countIn.length > 0 ? countIn[0] : line.start - PREVIEW_S;
      show = Math.max(earliest, downbeatAtOrBefore(grid?.downbeats, want) ?? want);
    }
    // Leave after the last word, or when the line that takes this row over (i + 2) appears.
    const next = lines[i + 1];
    const next2 = lines[i + 2];
    let hide = line.end + LINGER_S;
    if (next && next2 && next.start - line.end < REST_S && next2.start - next.end < REST_S)
      hide = Math.min(hide, next.start);
    hide = Math.max(hide, line.end);
    out.push({ line, row, show: Math.min(show, line.start), hide, countIn, pageStart });
  });
  return out;
}

/** The last COUNT_IN_BEATS beats before `start` that come after `after`. */
function countInBeats(beats: readonly number[], start: number, after: number): number[] {
  const before = beats.filter((b) => b < start - 0.05 && b > after);
  return before.slice(-COUNT_IN_BEATS);
}

function downbeatAtOrBefore(downbeats: readonly number[] | undefined, t: number): number | undefined {
  if (!downbeats) return undefined;
  let best: number | undefined;
  for (const d of downbeats) if (d <= t + 1e-6) best = d;
  // Only a downbeat within a bar or so: further back the page would wait too long.
  return best !== undefined && t - best <= PREVIEW_S ? best : undefined;
}
