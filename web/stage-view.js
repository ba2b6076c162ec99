// The stage: the line to sing, large and centred, the next one under it, each word swept by a
// colour fill over its own duration; count-in dots from the beat grid before a line that comes
// after a rest; lines the aligner was unsure of marked as such; a full-screen mode for a TV.

import { seekTo } from './player.js';
import { isUnsure } from './timeline.js';
import { $, el } from './util.js';
import { SEEK_TOLERANCE_S } from './lyrics.js';

/** A line stays up this long after its last word, unless the next one starts sooner. */
const LINE_HOLD_S = 0.6;
/** A gap at least this long before a line is a rest: the line gets a count-in. */
const REST_S = 2.5;
/** Count-in length in beats when the beat grid does not say how many beats a bar has. */
const DEFAULT_COUNT_IN = 4;
const MAX_COUNT_IN = 6;

/**
 * @typedef {import('./timeline.js').Line} Line
 * @typedef {import('./timeline.js').Beat} Beat
 */

const state = {
  /** @type {Line[]} */
  lines: [],
  ends: new Float64Array(0),
  /** @type {number[][]} beat times of each line's count-in (empty: none) */
  countIns: [],
  shown: -2,
  /** @type {HTMLElement[]} */
  wordEls: [],
  countIn: -1,
  /** @type {HTMLElement[]} */
  dots: [],
};

export function initStageView() {
  $('stage-lines').addEventListener('click', (e) => {
    const w =
      e.target instanceof Element ? /** @type {HTMLElement | null} */ (e.target.closest('.sw')) : null;
    if (w) seekTo(Number(w.dataset.start));
  });
  const fsButton = $('fullscreen');
  if (!document.fullscreenEnabled) fsButton.hidden = true;
  fsButton.addEventListener('click', () => void toggleFullscreen());
  document.addEventListener('fullscreenchange', () => {
    const on = document.fullscreenElement === $('stage');
    fsButton.textContent = on ? 'Exit full screen' : 'Full screen';
    fsButton.setAttribute('aria-pressed', String(on));
  });
}

async function toggleFullscreen() {
  if (document.fullscreenElement) await document.exitFullscreen().catch(() => undefined);
  else
    await $('stage')
      .requestFullscreen()
      .catch(() => undefined);
}

/**
 * @param {Line[]} lines
 * @param {Beat[]} beats
 * @param {number} beatsPerBar
 */
export function renderStage(lines, beats, beatsPerBar) {
  state.lines = lines;
  state.ends = Float64Array.from(lines, (l) => l.end);
  const n = Math.min(MAX_COUNT_IN, beatsPerBar > 1 ? beatsPerBar : DEFAULT_COUNT_IN);
  state.countIns = lines.map((line, i) => {
    const restStart = i === 0 ? 0 : lines[i - 1].end;
    if (line.start - restStart < REST_S || beats.length === 0) return [];
    const before = beats.filter((b) => b.time < line.start - SEEK_TOLERANCE_S && b.time >= restStart);
    return before.slice(-n).map((b) => b.time);
  });
  state.shown = -2;
  state.countIn = -1;
  // Without lyrics the stage keeps its transport and beat; only the lines go.
  $('stage-lines').hidden = lines.length === 0;
  $('stage').classList.toggle('no-lines', lines.length === 0);
  $('stage-lines').replaceChildren();
  $('count-in').replaceChildren();
}

/** The line on stage at `t`: the one being sung, else the next one to come (-1: none left). */
function lineAt(/** @type {number} */ t) {
  const { lines } = state;
  for (let i = 0; i < lines.length; i++) {
    const hold =
      i + 1 < lines.length ? Math.min(LINE_HOLD_S, lines[i + 1].start - lines[i].end) : LINE_HOLD_S;
    if (t < lines[i].end + Math.max(0, hold)) return i;
  }
  return -1;
}

/** @param {number} t media seconds */
export function syncStage(t) {
  if (state.lines.length === 0) return;
  const i = lineAt(t);
  if (i !== state.shown) show(i);
  const line = state.lines[i];
  if (!line) return;
  // The sweep: each word fills from its start to its end; words before are full, after empty.
  let active = -1;
  line.words.forEach((w, k) => {
    const dur = w.end - w.start;
    const f = t + SEEK_TOLERANCE_S < w.start ? 0 : dur <= 0 || t >= w.end ? 1 : (t - w.start) / dur;
    const wordEl = state.wordEls[k];
    wordEl.style.setProperty('--fill', `${(f * 100).toFixed(2)}%`);
    if (t + SEEK_TOLERANCE_S >= w.start) active = k;
  });
  state.wordEls.forEach((wordEl, k) =>
    wordEl.classList.toggle('active', k === active && t < line.words[k].end),
  );
  $('stage-lines').classList.toggle('waiting', t + SEEK_TOLERANCE_S < line.start);
  syncCountIn(i, t);
}

/** @param {number} i */
function show(i) {
  state.shown = i;
  const box = $('stage-lines');
  const line = state.lines[i];
  const next = state.lines[i + 1];
  state.wordEls = [];
  if (!line) {
    box.replaceChildren(el('p', { class: 'stage-line current done', text: '♪' }));
    return;
  }
  const words = line.words.map((w) => {
    const span = el('span', {
      class: isUnsure(w) ? 'sw unsure' : 'sw',
      'data-start': w.start,
      'data-end': w.end,
      text: w.word,
    });
    state.wordEls.push(span);
    return span;
  });
  const current = el(
    'p',
    { class: line.lowConfidence ? 'stage-line current low-conf' : 'stage-line current', 'aria-live': 'off' },
    ...words.flatMap((w) => [w, ' ']),
  );
  if (line.lowConfidence)
    current.append(
      el('span', {
        class: 'conf-note',
        title: 'The aligner was unsure of this line',
        text: 'timing uncertain',
      }),
    );
  box.replaceChildren(
    current,
    next
      ? el('p', {
          class: next.lowConfidence ? 'stage-line next low-conf' : 'stage-line next',
          text: next.words.map((w) => w.word).join(' '),
        })
      : el('p', { class: 'stage-line next', text: '' }),
  );
}

/**
 * @param {number} i the line on stage
 * @param {number} t
 */
function syncCountIn(i, t) {
  const beats = state.countIns[i] ?? [];
  const line = state.lines[i];
  // Visible from one beat before the first count-in beat until the line starts.
  const lead = beats.length > 1 ? beats[1] - beats[0] : 0;
  const on = beats.length > 0 && t >= beats[0] - lead && t + SEEK_TOLERANCE_S < line.start;
  const box = $('count-in');
  if (!on) {
    if (state.countIn !== -1) box.replaceChildren();
    state.countIn = -1;
    return;
  }
  if (state.countIn !== i) {
    state.countIn = i;
    state.dots = beats.map(() => el('span', { class: 'cdot' }));
    box.replaceChildren(...state.dots);
  }
  beats.forEach((b, k) => state.dots[k].classList.toggle('on', t + SEEK_TOLERANCE_S >= b));
}

export function resetStage() {
  renderStage([], [], 0);
}
