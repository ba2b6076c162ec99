import type { Transcript } from '../engines/transcription/timeline.js';
import { exportLines, oneLine } from './lines.js';
import { lrcTime } from './timefmt.js';

/**
 * Line-synced LRC: one `[mm:ss.xx]text` per lyric line, plus a blank time tag when a line
 * ends well before the next starts, so players clear the screen during instrumental parts.
 * Enhanced LRC (the "A2" word-time extension players such as foobar2000/MiniLyrics read)
 * adds `<mm:ss.xx>` before every word and one after the last word (LRC has no escapes, so
 * angle brackets inside words are dropped there).
 */
export interface LrcMeta {
  title?: string;
  artist?: string;
  album?: string;
  lengthS?: number;
}

const CLEAR_GAP_S = 3; // a silence longer than this between lines gets an empty line

function header(meta: LrcMeta): string[] {
  const h: string[] = [];
  if (meta.title) h.push(`[ti:${oneLine(meta.title)}]`);
  if (meta.artist) h.push(`[ar:${oneLine(meta.artist)}]`);
  if (meta.album) h.push(`[al:${oneLine(meta.album)}]`);
  if (meta.lengthS !== undefined) h.push(`[length:${lrcTime(meta.lengthS).replace(/\.\d+$/, '')}]`);
  h.push('[re:karaoke-backend]');
  return h;
}

function render(t: Transcript, meta: LrcMeta, enhanced: boolean): string {
  const out = header(meta);
  const lines = exportLines(t);
  lines.forEach((l, i) => {
    const text = enhanced
      ? `${l.words.map((w) => `<${lrcTime(w.start)}>${oneLine(w.word).replace(/[<>]/g, '')}`).join(' ')} <${lrcTime(l.end)}>`
      : oneLine(l.text);
    out.push(`[${lrcTime(l.start)}]${text}`);
    const next = lines[i + 1];
    if (!next || next.start - l.end > CLEAR_GAP_S) out.push(`[${lrcTime(l.end)}]`);
  });
  return `${out.join('\n')}\n`;
}

export function renderLrc(t: Transcript, meta: LrcMeta = {}): string {
  return render(t, meta, false);
}

export function renderEnhancedLrc(t: Transcript, meta: LrcMeta = {}): string {
  return render(t, meta, true);
}
