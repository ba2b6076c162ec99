/**
 * Songs recorded to a click: one constant beat grid, found and held.
 *
 * Most studio recordings are played to a click, so their beats lie on a grid t0 + k·P to within a
 * few milliseconds from the first bar to the last. The dynamic-programming tracker does not know
 * that: its interval penalty is soft, so where the off-beats are louder than the beats for a
 * section (eighth-note guitars and hats with the accents on the "and"s, a punk chorus) it slides
 * onto them over a few bars, and slides back later — a half-beat phase flip that costs it little
 * (BENCHMARKS.md, "Real recordings"). Holding the grid stiff would fix that but would break every
 * song played without a click (drift, ramps, steps). So the grid is held only where the first,
 * free tracking shows that the song keeps one: most of its beats sit on one constant grid, or
 * exactly half-way between its points (the flipped sections), within a few milliseconds.
 */

/** The period search around the first estimate: ±GRID_SPAN (relative) in steps of GRID_STEP. */
const GRID_SPAN = 0.004;
const GRID_STEP = 0.0001;
/** Steps of the coarse search when the span is wider than GRID_SPAN (`bestGrid` with REFINE_SPAN). */
const COARSE_STEP = 0.002;
/** Span of the search that refines the level's period before the first tracking. */
export const REFINE_SPAN = 0.05;
/**
 * A free beat is on the grid when within max(ON_FRAMES, ON_SHARE · P) of a grid point or of a
 * half-way point (frames at 100 fps: 20 ms; 5 % of the beat). Human playing without a click wanders
 * further within a few bars (a 2 % drift moves the beats by a tenth of a beat).
 */
const ON_FRAMES = 2;
const ON_SHARE = 0.05;
/** Share of the free beats on the grid (or half-way) for the song to count as played to a click. */
const CLICK_SHARE = 0.6;
/**
 * In every part of the song (PARTS equal spans of the free beats) the grid's points, or the points
 * half-way between them, must collect at least HOLD_STRENGTH of the onset strength the free beats
 * collect there: after a tempo step one grid drifts across the onsets and collects far less
 * (0.3–0.4 on the development sets), while a click song's grid keeps ≥ 1.
 */
const PARTS = 3;
const HOLD_STRENGTH = 0.8;
/** Beats consulted at least (shorter songs are tracked freely). */
const MIN_BEATS = 32;
/** Span over which the first estimate of the period is measured (beats). */
const SPAN_BEATS = 8;
/** The DP's interval penalty on a click grid: a beat interval 1 % off costs one unit of onset strength. */
export const CLICK_TIGHTNESS = 10000;

export interface ClickGrid {
  /** Period (frames, fractional) and the phase of its first point (frames). */
  period: number;
  phase: number;
  /** Share of the free beats on the grid or half-way between its points. */
  share: number;
}

/**
 * The constant grid that collects the most onset strength (`strength`, max-filtered over ±1 frame)
 * within ±`span` (relative) of `p0` (frames): periods in steps of `step`, every integer phase.
 */
function searchGrid(
  m: Float32Array,
  p0: number,
  span: number,
  step: number,
): { period: number; phase: number; score: number } {
  const n = m.length;
  let score = -Infinity;
  let period = p0;
  let phase = 0;
  const steps = Math.round(span / step);
  for (let j = -steps; j <= steps; j++) {
    const p = p0 * (1 + j * step);
    for (let ph = 0; ph < p; ph++) {
      let s = 0;
      for (let t = ph; t < n - 0.5; t += p) s += m[Math.round(t)];
      if (s > score) {
        score = s;
        period = p;
        phase = ph;
      }
    }
  }
  return { period, phase, score };
}

/**
 * The best constant grid near `p0`: a coarse search over ±`span` in steps of COARSE_STEP, then a fine
 * one (GRID_STEP) around the coarse best. `m` is the tracker's onset strength max-filtered over ±1
 * frame (`maxFilter3`), computed once by the caller for every search.
 */
export function bestGrid(m: Float32Array, p0: number, span = GRID_SPAN): { period: number; phase: number } {
  const coarse = span > GRID_SPAN ? searchGrid(m, p0, span, COARSE_STEP).period : p0;
  const { period, phase } = searchGrid(m, coarse, Math.min(span, GRID_SPAN), GRID_STEP);
  return { period, phase };
}

/** The median interval over SPAN_BEATS consecutive beats (undefined when too few). */
export function spanPeriod(beats: Float64Array): number | undefined {
  if (beats.length <= SPAN_BEATS) return undefined;
  const d = new Float64Array(beats.length - SPAN_BEATS);
  for (let i = 0; i < d.length; i++) d[i] = (beats[i + SPAN_BEATS] - beats[i]) / SPAN_BEATS;
  d.sort();
  return d[d.length >> 1];
}

/** Share of `beats` within the on-grid tolerance of a point of the grid or of a half-way point. */
export function shareOnGrid(beats: Float64Array, period: number, phase: number): number {
  if (beats.length === 0) return 0;
  const tol = Math.max(ON_FRAMES, ON_SHARE * period) / period;
  let on = 0;
  for (const b of beats) {
    const x = (b - phase) / period;
    const e = Math.abs(x - Math.round(x));
    if (e <= tol || Math.abs(0.5 - e) <= tol) on++;
  }
  return on / beats.length;
}

/**
 * The click grid of a song whose free beats (`beats`, frames) keep one, else undefined.
 * `m` is the tracker's onset strength max-filtered over ±1 frame (`maxFilter3`).
 */
export function clickGrid(m: Float32Array, beats: Float64Array, near?: number): ClickGrid | undefined {
  if (beats.length < MIN_BEATS) return undefined;
  const p0 = near ?? spanPeriod(beats);
  if (!p0 || !(p0 > 2)) return undefined;
  const grid = bestGrid(m, p0);
  const share = shareOnGrid(beats, grid.period, grid.phase);
  if (share < CLICK_SHARE) return undefined;
  return gridHolds(m, beats, grid.period, grid.phase) ? { ...grid, share } : undefined;
}

/**
 * Whether the grid collects at least HOLD_STRENGTH of the free beats' onset strength in every part
 * of the song (`m`: the max-filtered strength). A grid point counts with the better of itself and
 * the point half a period later (a section the free beats tracked on the off-beats).
 */
export function gridHolds(m: Float32Array, beats: Float64Array, period: number, phase: number): boolean {
  const first = beats[0];
  const last = beats[beats.length - 1];
  const at = (t: number): number => m[Math.min(m.length - 1, Math.max(0, Math.round(t)))];
  for (let k = 0; k < PARTS; k++) {
    const lo = first + ((last - first) * k) / PARTS;
    const hi = k === PARTS - 1 ? last + 1 : first + ((last - first) * (k + 1)) / PARTS;
    let free = 0;
    let nFree = 0;
    for (const b of beats)
      if (b >= lo && b < hi) {
        free += at(b);
        nFree++;
      }
    let grid = 0;
    let nGrid = 0;
    for (let t = phase + Math.ceil((lo - phase) / period) * period; t < hi; t += period) {
      grid += Math.max(at(t), at(t + period / 2));
      nGrid++;
    }
    if (nFree === 0 || nGrid === 0) continue;
    if (grid / nGrid < HOLD_STRENGTH * (free / nFree)) return false;
  }
  return true;
}
