/**
 * Time stamps in the notations players read. Every formatter rounds once, to the
 * notation's unit, so that carries (59.999 s → 1:00.00) come out right.
 */
function split(seconds: number, unitsPerSecond: number): { h: number; m: number; s: number; frac: number } {
  const units = Math.max(0, Math.round(seconds * unitsPerSecond));
  const totalS = Math.floor(units / unitsPerSecond);
  return {
    h: Math.floor(totalS / 3600),
    m: Math.floor((totalS % 3600) / 60),
    s: totalS % 60,
    frac: units % unitsPerSecond,
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** LRC: mm:ss.xx (minutes keep counting past 59). */
export function lrcTime(seconds: number): string {
  const { h, m, s, frac } = split(seconds, 100);
  return `${pad(h * 60 + m)}:${pad(s)}.${pad(frac)}`;
}

/** SRT: HH:MM:SS,mmm */
export function srtTime(seconds: number): string {
  const { h, m, s, frac } = split(seconds, 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)},${pad(frac, 3)}`;
}

/** WebVTT: HH:MM:SS.mmm */
export function vttTime(seconds: number): string {
  const { h, m, s, frac } = split(seconds, 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(frac, 3)}`;
}

/** ASS: H:MM:SS.cc */
export function assTime(seconds: number): string {
  const { h, m, s, frac } = split(seconds, 100);
  return `${h}:${pad(m)}:${pad(s)}.${pad(frac)}`;
}
