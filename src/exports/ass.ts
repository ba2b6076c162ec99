import type { Transcript } from '../engines/transcription/timeline.js';
import { exportLines, oneLine } from './lines.js';
import { assTime } from './timefmt.js';

/**
 * Advanced SubStation Alpha with karaoke timing: one Dialogue per lyric line, each word
 * preceded by `{\k<centiseconds>}`. A word's \k runs until the next word starts, so the
 * \k values of a line add up exactly to the Dialogue's duration (what Aegisub checks).
 */
export interface AssOptions {
  title?: string;
  playResX?: number;
  playResY?: number;
}

const STYLE =
  'Style: Default,Arial,64,&H00FFFFFF,&H0000FFFF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,3,1,2,60,60,60,1';

export function renderAss(t: Transcript, opts: AssOptions = {}): string {
  const head = [
    '[Script Info]',
    `Title: ${oneLine(opts.title ?? 'Lyrics')}`,
    'ScriptType: v4.00+',
    'WrapStyle: 0',
    `PlayResX: ${opts.playResX ?? 1920}`,
    `PlayResY: ${opts.playResY ?? 1080}`,
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    STYLE,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  const events = exportLines(t).map((l) => {
    // Work in centiseconds of the rendered times so that the sum of \k matches the line exactly.
    const cs = (s: number) => Math.round(s * 100);
    const lineStart = cs(l.start);
    const lineEnd = Math.max(cs(l.end), lineStart + 1);
    const body = l.words
      .map((w, k) => {
        const from = k === 0 ? lineStart : Math.max(lineStart, cs(w.start));
        const next = k + 1 < l.words.length ? cs(l.words[k + 1].start) : lineEnd;
        const to = Math.min(lineEnd, Math.max(from, next));
        return `{\\k${to - from}}${escapeAss(oneLine(w.word))}`;
      })
      .join(' ');
    return `Dialogue: 0,${assTime(lineStart / 100)},${assTime(lineEnd / 100)},Default,,0,0,0,,${body}`;
  });
  return `${[...head, ...events].join('\n')}\n`;
}

function escapeAss(s: string): string {
  // Braces open override blocks and a backslash starts an escape in ASS text.
  return s.replace(/[{}]/g, '').replace(/\\/g, '\\\u200b');
}
