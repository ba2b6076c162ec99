// The beat indicator: one dot per beat of the bar, pulsing on every beat, stronger on downbeats.

import { $, el, lastAtOrBefore } from './util.js';

const MAX_BEAT_DOTS = 12;

/** @typedef {import('./timeline.js').Beat} Beat */

let beats = emptyBeats();

function emptyBeats() {
  return {
    times: new Float64Array(0),
    positions: new Int32Array(0),
    perBar: 0,
    /** @type {HTMLElement[]} */
    dots: [],
    index: -1,
  };
}

/**
 * Beats per bar: from the analysis, else the largest bar position, else the time signature.
 * @param {Beat[]} list
 * @param {any} analysis the results' beat_analysis
 * @param {any} doc beats.json
 */
export function beatsPerBar(list, analysis, doc) {
  const sig = Number.parseInt(String(doc?.time_signature ?? analysis?.time_signature ?? ''), 10);
  const fromPositions = list.reduce((m, b) => Math.max(m, b.position), 0);
  return Math.min(MAX_BEAT_DOTS, analysis?.beats_per_bar || fromPositions || sig || 1);
}

/**
 * @param {Beat[]} list
 * @param {number} perBar
 */
export function setupBeats(list, perBar) {
  if (list.length === 0) return resetBeats();
  const B = emptyBeats();
  B.times = Float64Array.from(list, (b) => b.time);
  B.positions = Int32Array.from(list, (b) => b.position);
  B.perBar = perBar;
  B.dots = Array.from({ length: B.perBar }, (_, i) => el('span', { class: i === 0 ? 'dot down' : 'dot' }));
  $('beat-dots').replaceChildren(...B.dots);
  beats = B;
  $('beat').hidden = false;
}

/** @param {number} t media seconds */
export function syncBeat(t) {
  const B = beats;
  if (B.times.length === 0) return;
  const i = lastAtOrBefore(B.times, t);
  if (i === B.index) return;
  B.index = i;
  const pos = i >= 0 ? B.positions[i] : 0;
  B.dots.forEach((d, j) => d.classList.toggle('on', pos > 0 && j === (pos - 1) % B.perBar));
  const beat = $('beat');
  beat.classList.remove('pulse', 'pulse-down');
  if (i < 0) {
    $('beat-num').textContent = '';
    return;
  }
  $('beat-num').textContent = pos > 0 ? String(pos) : '•';
  // Re-adding the class restarts the CSS animation; the reflow in between makes it take.
  void beat.offsetWidth;
  beat.classList.add(pos === 1 ? 'pulse-down' : 'pulse');
}

export function resetBeats() {
  beats = emptyBeats();
  $('beat').hidden = true;
  $('beat-dots').replaceChildren();
}
