import { parabolicOffset } from './stats.js';

/**
 * How well the tracked beats agree with the music, section by section. A song-wide measure
 * misses a failure confined to part of a song — the beats drifting off after a tempo step the
 * tracker followed late, a steady grid through a free-tempo intro — because the rest of the song
 * outvotes it. Each section of SECTION_BEATS beats (every SECTION_HOP beats) is measured on its
 * own: `period` is |log| of the section's own periodicity (the best autocorrelation lag of its
 * onset strength near the tracked interval) over the tracked interval.
 *
 * Also measured while choosing this (BENCHMARKS.md): the onset strength at the beats against the
 * same beats shifted by ⅛…½ beat, full band and low band. The full band runs backwards (the
 * tracker sits on the loudest onsets, right or wrong), the low band is weaker than the period
 * and duplicates the song-wide low-band phase term.
 */

/** Beats per section and the step between sections. */
export const SECTION_BEATS = 8;
export const SECTION_HOP = 4;
/** Local periodicity is searched within ×/÷ PERIOD_SPAN of the tracked interval. */
const PERIOD_SPAN = 1.3;

export interface SectionAgreement {
  /** The section's first and last beat (frames). */
  start: number;
  end: number;
  /** The tracked beats' mean interval in the section, and the section's own period (frames). */
  interval: number;
  own: number;
  /** |log(own / interval)|. */
  period: number;
}

/** The agreement of every section of `beats` (frame positions, ascending) with the onset strength `odf`. */
export function sectionAgreement(odf: Float32Array, beats: Float64Array): SectionAgreement[] {
  const out: SectionAgreement[] = [];
  const n = beats.length;
  for (let i = 0; i + SECTION_BEATS <= n; i += SECTION_HOP) {
    const b = beats.subarray(i, i + SECTION_BEATS);
    const p = (b[b.length - 1] - b[0]) / (b.length - 1);
    if (!(p > 2)) continue;
    const end = b[b.length - 1];
    const own = ownPeriod(odf, b[0] - p / 2, end + p / 2, p);
    out.push({ start: b[0], end, interval: p, own, period: Math.abs(Math.log(own / p)) });
  }
  return out;
}

/**
 * The best lag of the autocorrelation of x over [a, b) among lags p/SPAN..p·SPAN, refined between
 * its neighbours (p when the span is too short to tell).
 */
function ownPeriod(x: Float32Array, a: number, b: number, p: number): number {
  const from = Math.max(0, Math.floor(a));
  const to = Math.min(x.length, Math.ceil(b));
  const len = to - from;
  const lo = Math.max(2, Math.floor(p / PERIOD_SPAN));
  const hi = Math.ceil(p * PERIOD_SPAN);
  if (len < 2 * hi) return p;
  let m = 0;
  for (let i = from; i < to; i++) m += x[i];
  m /= len;
  const acf = new Float64Array(hi - lo + 1);
  let arg = 0;
  for (let lag = lo; lag <= hi; lag++) {
    let s = 0;
    for (let i = from + lag; i < to; i++) s += (x[i] - m) * (x[i - lag] - m);
    acf[lag - lo] = s / (len - lag);
    if (acf[lag - lo] > acf[arg]) arg = lag - lo;
  }
  return arg > 0 && arg < acf.length - 1
    ? lo + arg + parabolicOffset(acf[arg - 1], acf[arg], acf[arg + 1])
    : lo + arg;
}

/**
 * A section's own periodicity further than this (|log|) from the tracked interval: the beats do
 * not follow the music there (a step followed late, a free-tempo stretch). Right sections of the
 * development sets stay within 0.03 (90 %); 0.06 flags 2 % of them and 43 % of the wrong ones.
 */
export const PERIOD_OFF = 0.06;

/** The largest |log| correction `followSections` makes (×/÷ 1.2). */
const MAX_FOLLOW = Math.log(1.2);

/** Share of the sections whose own periodicity disagrees with the tracked interval. */
export function offPeriodShare(sections: readonly SectionAgreement[]): number {
  if (sections.length === 0) return 0;
  let off = 0;
  for (const s of sections) if (s.period > PERIOD_OFF) off++;
  return off / sections.length;
}

/**
 * A period-ratio curve (as `trackBeats` takes it) corrected where sections disagree: over each
 * off-period section the ratio is scaled to the section's own period (the largest correction
 * wins where sections overlap), up to MAX_FOLLOW: a tempo step is rarely larger, while a larger
 * disagreement is another metrical level, which the section's periodicity does not settle.
 * Undefined when no section is off.
 */
export function followSections(
  sections: readonly SectionAgreement[],
  ratio: Float64Array | undefined,
  n: number,
): Float64Array | undefined {
  const off = sections.filter((s) => s.period > PERIOD_OFF && s.period <= MAX_FOLLOW);
  if (off.length === 0) return undefined;
  const factor = new Float64Array(n).fill(1);
  for (const s of off) {
    const f = s.own / s.interval;
    const a = Math.max(0, Math.floor(s.start - s.interval / 2));
    const b = Math.min(n, Math.ceil(s.end + s.interval / 2));
    for (let t = a; t < b; t++) if (Math.abs(Math.log(f)) > Math.abs(Math.log(factor[t]))) factor[t] = f;
  }
  for (let t = 0; t < n; t++) factor[t] *= ratio ? ratio[t] : 1;
  return factor;
}
