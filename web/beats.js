// The beat indicator: one dot per beat of the bar, pulsing on every beat, stronger on downbeats.

import { sync } from './player.js';
import { $, el, lastAtOrBefore } from './util.js';

const MAX_BEAT_DOTS = 12;

let beats = emptyBeats();

function emptyBeats() {
  return { times: new Float64Array(0), positions: new Int32Array(0), perBar: 0, dots: [], index: -1 };
}

/** Shows the indicator for beats.json (`doc`) and the results' `beat_analysis`. */
export function setupBeats(doc, analysis) {
  const raw = Array.isArray(doc?.beats) ? doc.beats : [];
  const list = raw
    .map((b) => (typeof b === 'number' ? { time: b, position: 0 } : b))
    .filter((b) => Number.isFinite(b?.time));
  if (list.length === 0) return;
  const downs = new Set((doc.downbeats ?? analysis?.downbeats ?? []).map((t) => Math.round(t * 1000)));
  const B = emptyBeats();
  B.times = Float64Array.from(list, (b) => b.time);
  B.positions = Int32Array.from(list, (b) =>
    Number.isInteger(b.position) && b.position > 0
      ? b.position
      : downs.has(Math.round(b.time * 1000))
        ? 1
        : 0,
  );
  const sig = Number.parseInt(String(doc.time_signature ?? analysis?.time_signature ?? ''), 10);
  B.perBar = Math.min(MAX_BEAT_DOTS, analysis?.beats_per_bar || Math.max(...B.positions) || sig || 1);
  const dots = $('beat-dots');
  B.dots = Array.from({ length: B.perBar }, (_, i) => el('span', { class: i === 0 ? 'dot down' : 'dot' }));
  dots.replaceChildren(...B.dots);
  beats = B;
  $('beat').hidden = false;
  sync();
}

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
