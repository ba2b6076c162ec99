import type { Transcript } from '../engines/transcription/timeline.js';
import { exportLines, oneLine } from './lines.js';
import { vttTime } from './timefmt.js';

/**
 * WebVTT: one cue per lyric line with karaoke timestamp tags (`<00:00:04.750>`) before
 * each word after the first, which browsers expose as :past/:future styling. Timestamps
 * must lie strictly inside the cue, so ones at the cue edges are left out.
 */
export function renderVtt(t: Transcript): string {
  const cues = exportLines(t).map((l, i) => {
    const parts = l.words.map((w, k) => {
      const text = escapeVtt(oneLine(w.word));
      return k > 0 && w.start > l.start && w.start < l.end ? `<${vttTime(w.start)}>${text}` : text;
    });
    return `${i + 1}\n${vttTime(l.start)} --> ${vttTime(l.end)}\n${parts.join(' ')}\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}

function escapeVtt(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/-->/g, '--&gt;');
}
