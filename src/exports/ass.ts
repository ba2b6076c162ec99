import type { Transcript } from '../engines/transcription/timeline.js';
import { karaokeLayout, type LayoutGrid } from './karaoke-layout.js';
import { oneLine } from './lines.js';
import { assTime } from './timefmt.js';

/**
 * Advanced SubStation Alpha karaoke from the two-row layout (karaoke-layout.ts): each word
 * sweeps (`\kf`) from the upcoming colour (SecondaryColour, white) to the sung colour
 * (PrimaryColour, gold) over its own duration; the gaps between words are `\k` on the space.
 * A line shown ahead of its first word starts with an empty `\k` for the wait, so the `\k`
 * values of a Dialogue add up exactly to its duration (what Aegisub checks). Count-in dots
 * light up one per beat before a line after a rest; a title card opens the song.
 */
export interface AssOptions {
  title?: string;
  artist?: string;
  playResX?: number;
  playResY?: number;
  grid?: LayoutGrid;
}

// ASS colours are &HAABBGGRR.
const SUNG = '&H0000C8FF';
const UPCOMING = '&H00FFFFFF';
const OUTLINE = '&H00000000';
const SHADOW = '&H80000000';
const DIM = '&H00808080';
const FORMAT =
  'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding';
/** Title card: shown from 0 for at most this long, and only if the first line leaves room. */
const TITLE_S = 5;
const TITLE_MIN_S = 1.5;
/** Horizontal margin of the rows (each side), in script pixels. */
const MARGIN_X = 60;
/**
 * Mean width of a character (spaces included) of the bold sans fonts libass picks for Arial (DejaVu Sans Bold, Arial
 * Bold), as a share of the font size, with a margin: a line estimated wider than the frame is set
 * smaller, so it stays on one row instead of wrapping over the other one.
 */
const CHAR_WIDTH_EM = 0.56;

export const ASS_STYLES = ['Row0', 'Row1', 'CountIn', 'Title'] as const;

export function renderAss(t: Transcript, opts: AssOptions = {}): string {
  const w = opts.playResX ?? 1920;
  const h = opts.playResY ?? 1080;
  const size = Math.round(h / 15);
  const style = (
    name: string,
    fontSize: number,
    primary: string,
    secondary: string,
    align: number,
    marginV: number,
  ) =>
    `Style: ${name},Arial,${fontSize},${primary},${secondary},${OUTLINE},${SHADOW},-1,0,0,0,100,100,0,0,1,${Math.max(2, Math.round(size / 20))},1,${align},${MARGIN_X},${MARGIN_X},${marginV},1`;
  const head = [
    '[Script Info]',
    `Title: ${oneLine(opts.title ?? 'Lyrics')}`,
    'ScriptType: v4.00+',
    'WrapStyle: 0',
    `PlayResX: ${w}`,
    `PlayResY: ${h}`,
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    FORMAT,
    // Row 0 above row 1, both in the lower half; bottom-centred (alignment 2).
    style('Row0', size, SUNG, UPCOMING, 2, Math.round(h * 0.2) + Math.round(size * 1.5)),
    style('Row1', size, SUNG, UPCOMING, 2, Math.round(h * 0.2)),
    style('CountIn', Math.round(size * 0.8), SUNG, DIM, 2, Math.round(h * 0.2) + Math.round(size * 3)),
    style('Title', Math.round(size * 1.3), UPCOMING, UPCOMING, 5, 0),
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  const cs = (s: number) => Math.round(s * 100);
  const events: string[] = [];
  const layout = karaokeLayout(t, opts.grid);
  const firstShow = layout[0]?.show ?? Infinity;
  if (opts.title && firstShow >= TITLE_MIN_S) {
    const end = Math.min(TITLE_S, firstShow - 0.2);
    const artist = opts.artist ? `\\N{\\fs${Math.round(size * 0.8)}}${escapeAss(oneLine(opts.artist))}` : '';
    events.push(
      `Dialogue: 0,${assTime(0)},${assTime(end)},Title,,0,0,0,,{\\fad(300,300)}${escapeAss(oneLine(opts.title))}${artist}`,
    );
  }
  for (const l of layout) {
    const show = cs(l.show);
    const hide = Math.max(cs(l.hide), show + 1);
    const parts: string[] = [];
    const fit = fittedSize(l.line.text, size, w - 2 * MARGIN_X);
    if (fit < size) parts.push(`{\\fs${fit}}`);
    let at = show;
    l.line.words.forEach((word, k) => {
      const ws = Math.max(at, cs(word.start));
      const we = Math.max(ws, Math.min(hide, cs(word.end)));
      const gap = ws - at;
      if (k === 0) {
        if (gap > 0) parts.push(`{\\k${gap}}`);
      } else parts.push(`{\\k${gap}} `);
      parts.push(`{\\kf${we - ws}}${escapeAss(oneLine(word.word))}`);
      at = we;
    });
    if (hide > at) parts.push(`{\\k${hide - at}}`);
    events.push(
      `Dialogue: 0,${assTime(show / 100)},${assTime(hide / 100)},Row${l.row},,0,0,0,,${parts.join('')}`,
    );
    if (l.countIn.length > 0) {
      const start = cs(l.countIn[0]);
      const end = Math.max(cs(l.line.start), start + 1);
      const dots = l.countIn.map((b, j) => {
        const from = cs(b);
        const to = j + 1 < l.countIn.length ? cs(l.countIn[j + 1]) : end;
        return `{\\k${Math.max(0, to - from)}}●`;
      });
      events.push(
        `Dialogue: 1,${assTime(start / 100)},${assTime(end / 100)},CountIn,,0,0,0,,${dots.join(' ')}`,
      );
    }
  }
  return `${[...head, ...events].join('\n')}\n`;
}

/** The font size at which `text` fits `width` on one row (estimated), at most `size`. */
export function fittedSize(text: string, size: number, width: number): number {
  const est = [...text].length * CHAR_WIDTH_EM * size;
  return est <= width ? size : Math.max(1, Math.floor((size * width) / est));
}

function escapeAss(s: string): string {
  // Braces open override blocks and a backslash starts an escape in ASS text.
  return s.replace(/[{}]/g, '').replace(/\\/g, '\\\u200b');
}
