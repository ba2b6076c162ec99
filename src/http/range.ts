/**
 * A single `bytes=` range (RFC 9110 §14.1.2). Returns undefined to serve the whole file (no
 * Range, another unit, or several ranges, which the RFC lets a server ignore), or
 * 'unsatisfiable' (416): a start past the end, `bytes=-0`, a last byte before the first, or a
 * `bytes=` range that does not parse. Such a range is a client bug; answering it with the
 * whole file (as before) hid the bug and sent megabytes that were not asked for.
 */
export function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const value = header.trim();
  if (!/^bytes\s*=/i.test(value)) return undefined;
  if (value.includes(',')) return undefined;
  const m = /^bytes\s*=\s*(\d*)-(\d*)$/i.exec(value);
  if (!m || (m[1] === '' && m[2] === '')) return 'unsatisfiable';
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    if (m[2] !== '' && Number(m[2]) < start) return 'unsatisfiable';
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}
