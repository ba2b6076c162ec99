// The pitch lane (UltraStar style): the sung notes as bars on a pitch scale, scrolling right to
// left past a "now" line, the current note lit. Drawn on a canvas, only while there are notes.

import { $, lastAtOrBefore } from './util.js';

/** Seconds of song across the lane, and where "now" sits in it (fraction from the left). */
const WINDOW_S = 6;
const NOW_AT = 0.25;
/** Semitones of headroom above and below the sung range. */
const PITCH_MARGIN = 2;
const MIN_RANGE = 12;

/** @typedef {import('./timeline.js').Note} Note */

const lane = {
  /** @type {Note[]} */
  notes: [],
  starts: new Float64Array(0),
  low: 0,
  high: 0,
  current: -1,
};

/** @param {Note[]} notes */
export function setupPitchLane(notes) {
  lane.notes = notes;
  lane.starts = Float64Array.from(notes, (n) => n.start);
  const midis = notes.map((n) => n.midi);
  const lo = Math.min(...midis) - PITCH_MARGIN;
  const hi = Math.max(...midis) + PITCH_MARGIN;
  const pad = Math.max(0, MIN_RANGE - (hi - lo)) / 2;
  lane.low = lo - pad;
  lane.high = hi + pad;
  lane.current = -1;
  $('pitch-lane').hidden = notes.length === 0;
}

/** The note being sung at `t`, or -1. @param {number} t */
export function currentNote(t) {
  const i = lastAtOrBefore(lane.starts, t);
  return i >= 0 && t < lane.notes[i].end ? i : -1;
}

/** @param {number} t media seconds */
export function syncPitchLane(t) {
  if (lane.notes.length === 0) return;
  const canvas = /** @type {HTMLCanvasElement} */ ($('pitch-lane'));
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (w === 0 || h === 0) return;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const style = getComputedStyle(canvas);
  const from = t - WINDOW_S * NOW_AT;
  const x = (/** @type {number} */ s) => ((s - from) / WINDOW_S) * w;
  const rowH = h / (lane.high - lane.low);
  const y = (/** @type {number} */ midi) => h - (midi - lane.low + 0.5) * rowH;
  const cur = currentNote(t);
  lane.current = cur;
  canvas.dataset.current = String(cur);
  let i = Math.max(0, lastAtOrBefore(lane.starts, from) - 1);
  for (; i < lane.notes.length && lane.notes[i].start < from + WINDOW_S; i++) {
    const n = lane.notes[i];
    if (n.end < from) continue;
    const past = n.end <= t;
    g.fillStyle = style.getPropertyValue(i === cur ? '--note-now' : past ? '--note-past' : '--note').trim();
    const bx = x(n.start);
    const bw = Math.max(3, x(n.end) - bx - 1);
    const bh = Math.max(4, rowH * 0.8);
    g.beginPath();
    g.roundRect(bx, y(n.midi) - bh / 2, bw, bh, bh / 2);
    g.fill();
  }
  g.fillStyle = style.getPropertyValue('--note-line').trim();
  g.fillRect(Math.round(w * NOW_AT), 0, 2, h);
}

export function resetPitchLane() {
  setupPitchLane([]);
}
