// Helpers shared by the page's modules. Every piece of server data reaches the DOM through
// textContent or attributes (el's `text`), never as HTML.

export const TERMINAL_JOB = new Set(['completed', 'partial', 'failed', 'cancelled']);
/** @type {Record<string, string>} */
export const STATUS_TEXT = {
  queued: 'Queued',
  processing: 'Processing',
  completed: 'Completed',
  partial: 'Partly done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  pending: 'Waiting',
  running: 'Running',
  retrying: 'Retrying',
  unavailable: 'Unavailable',
  skipped: 'Skipped',
};

/**
 * The page's element with this id; a missing one is a bug in the page, so it throws.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function $(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

/** An <input> of the page. @param {string} id */
export const input = (id) => /** @type {HTMLInputElement} */ ($(id));
export const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * A new element: `text` sets its textContent, `on<type>` adds a listener, `class` its className,
 * anything else an attribute (true → present, false/null/undefined → absent).
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** @param {number} s */
export function fmtTime(s) {
  if (!Number.isFinite(s) || s < 0) return '–';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

/** @param {number} n */
export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** @param {string} iso */
export function fmtWhen(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** @param {string} status */
export function badge(status) {
  return el('span', { class: `badge s-${status}`, text: STATUS_TEXT[status] ?? status });
}

/** @param {HTMLElement} node @param {string} status */
export function setBadge(node, status) {
  node.className = `badge s-${status}`;
  node.textContent = STATUS_TEXT[status] ?? status;
}

/** @param {unknown} p */
export function pct(p) {
  return Math.max(0, Math.min(100, Math.round(Number(p) || 0)));
}

/**
 * Index of the last value <= t in a sorted array, or -1.
 * @param {ArrayLike<number>} sorted
 * @param {number} t
 */
export function lastAtOrBefore(sorted, t) {
  let lo = 0;
  let hi = sorted.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
