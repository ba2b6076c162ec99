// The full lyrics list under the stage: every line, words lit in time with the audio; click a
// word (or a line's time stamp) to sing from there.

import { seekTo, sync } from './player.js';
import { isUnsure } from './timeline.js';
import { $, el, fmtTime, lastAtOrBefore, reducedMotion } from './util.js';

// A word stays lit this long after its end so short gaps between words do not flicker.
export const WORD_HOLD_S = 0.25;
// A seek lands on the frame or microsecond: a word counts as started this much early, so seeking
// to a word's start always lights that word.
export const SEEK_TOLERANCE_S = 0.01;
// Where the current line sits in the lyrics box, as a fraction of its height.
const LINE_ANCHOR = 0.35;

/**
 * @typedef {import('./timeline.js').Line} Line
 * @typedef {import('./timeline.js').Word} Word
 */

let lyrics = emptyLyrics();

function emptyLyrics() {
  return {
    /** @type {Word[]} */
    words: [],
    starts: new Float64Array(0),
    /** @type {HTMLElement[]} */
    wordEls: [],
    /** @type {HTMLElement[]} */
    lineEls: [],
    /** @type {number[]} */
    lineOf: [],
    sungUpTo: -1,
    active: -1,
    line: -1,
  };
}

export function initLyrics() {
  $('lyrics-view').addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : null;
    const word = /** @type {HTMLElement | null | undefined} */ (target?.closest('.word'));
    const line = /** @type {HTMLElement | null | undefined} */ (target?.closest('.line-time'));
    if (word) seekTo(lyrics.words[Number(word.dataset.i)].start);
    else if (line) seekTo(Number(line.dataset.start));
  });
}

/**
 * Shows the lines, or why there are none (from the transcription `stage`).
 * @param {Line[]} lines
 * @param {any} stage
 */
export function renderLyrics(lines, stage) {
  const box = $('lyrics-view');
  const note = $('no-lyrics');
  const L = emptyLyrics();
  for (const [li, line] of lines.entries()) {
    const wordsSpan = el('span', { class: 'line-words' });
    for (const w of line.words) {
      const unsure = isUnsure(w);
      const span = el('span', {
        class: `word${w.flags.length || unsure ? ' flagged' : ''}`,
        'data-i': L.words.length,
        title: w.flags.length
          ? w.flags.join(', ').replaceAll('_', ' ')
          : unsure
            ? 'low confidence'
            : undefined,
        text: w.word,
      });
      L.words.push(w);
      L.wordEls.push(span);
      L.lineOf.push(li);
      wordsSpan.append(span, ' ');
    }
    const seek = el('button', {
      type: 'button',
      class: 'line-time',
      'data-start': line.start,
      'aria-label': `Play from ${fmtTime(line.start)}`,
      text: fmtTime(line.start),
    });
    L.lineEls.push(
      el(
        'p',
        {
          class: line.lowConfidence ? 'line low-conf' : 'line',
          title: line.lowConfidence ? 'timing uncertain' : undefined,
        },
        seek,
        wordsSpan,
      ),
    );
  }
  L.starts = Float64Array.from(L.words, (w) => w.start);
  lyrics = L;
  box.replaceChildren(...L.lineEls);
  $('all-lyrics').hidden = L.lineEls.length === 0;
  if (L.lineEls.length === 0) {
    const why =
      stage?.error?.message ??
      (stage?.status === 'skipped' ? (stage?.message ?? 'not requested') : 'no words were found');
    note.textContent = `No lyrics: ${why}.`;
  }
  note.hidden = L.lineEls.length > 0;
  sync();
}

/** @param {number} t media seconds */
export function syncLyrics(t) {
  const L = lyrics;
  if (L.words.length === 0) return;
  const k = lastAtOrBefore(L.starts, t + SEEK_TOLERANCE_S);
  // Words up to k have started: mark the range that changed since the last frame only.
  if (k > L.sungUpTo) for (let i = L.sungUpTo + 1; i <= k; i++) L.wordEls[i].classList.add('sung');
  else for (let i = k + 1; i <= L.sungUpTo; i++) L.wordEls[i].classList.remove('sung');
  L.sungUpTo = k;
  const active = k >= 0 && t < L.words[k].end + WORD_HOLD_S ? k : -1;
  if (active !== L.active) {
    if (L.active >= 0) L.wordEls[L.active].classList.remove('active');
    if (active >= 0) L.wordEls[active].classList.add('active');
    L.active = active;
  }
  const line = k >= 0 ? L.lineOf[k] : -1;
  if (line !== L.line) {
    if (L.line >= 0) L.lineEls[L.line].classList.remove('current');
    if (line >= 0) {
      L.lineEls[line].classList.add('current');
      scrollLyricsTo(L.lineEls[line]);
    }
    L.line = line;
  }
}

/** @param {HTMLElement} lineEl */
function scrollLyricsTo(lineEl) {
  const box = $('lyrics-view');
  if (box.offsetParent === null) return; // the list is folded away
  const top = lineEl.offsetTop - box.clientHeight * LINE_ANCHOR;
  box.scrollTo({ top: Math.max(0, top), behavior: reducedMotion ? 'auto' : 'smooth' });
}

export function resetLyrics() {
  lyrics = emptyLyrics();
  $('lyrics-view').replaceChildren();
}
