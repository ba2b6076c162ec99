/** Small numeric helpers over typed arrays (no allocation unless stated). */

export function mean(x: ArrayLike<number>, from = 0, to = x.length): number {
  if (to <= from) return 0;
  let s = 0;
  for (let i = from; i < to; i++) s += x[i];
  return s / (to - from);
}

export function std(x: ArrayLike<number>, from = 0, to = x.length): number {
  if (to - from < 2) return 0;
  const m = mean(x, from, to);
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i] - m) * (x[i] - m);
  return Math.sqrt(s / (to - from));
}

/** Median (copies the input). */
export function median(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return 0;
  const a = Float64Array.from(x).sort();
  return n % 2 === 1 ? a[(n - 1) / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

/** Max of x over [pos - radius, pos + radius] (integer frames), 0 outside. */
export function maxAround(x: ArrayLike<number>, pos: number, radius: number): number {
  const c = Math.round(pos);
  let m = 0;
  for (let i = Math.max(0, c - radius); i <= Math.min(x.length - 1, c + radius); i++) if (x[i] > m) m = x[i];
  return m;
}

/** Offset of the vertex of the parabola through (−1, a), (0, b), (1, c), in (−0.5, 0.5). */
export function parabolicOffset(a: number, b: number, c: number): number {
  const d = a - 2 * b + c;
  if (d >= 0) return 0;
  const o = (0.5 * (a - c)) / d;
  return Math.max(-0.5, Math.min(0.5, o));
}

export const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** x max-filtered over ±1 sample (a new array). */
export function maxFilter3(x: Float32Array): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(x[i], i > 0 ? x[i - 1] : 0, i + 1 < n ? x[i + 1] : 0);
  return out;
}
