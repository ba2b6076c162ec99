// The lyrics box: lines of timed words, lit in time with the audio; click a word to sing from it.

import { seekTo, sync } from './player.js';
import { $, el, fmtTime, lastAtOrBefore, reducedMotion } from './util.js';

// A word stays lit this long after its end so short gaps between words do not flicker.
const WORD_HOLD_S = 0.25;
// Media elements round a seek target (to the frame or microsecond): a word counts as started this
// much early, so seeking to a word's start always lights that word.
const SEEK_TOLERANCE_S = 0.01;
// Lyrics without line structure are broken at pauses this long, or after this many words.
const LINE_GAP_S = 1.2;
const MAX_WORDS_PER_LINE = 8;
// Where the current line sits in the lyrics box, as a fraction of its height.
const LINE_ANCHOR = 0.35;

let lyrics = emptyLyrics();

function emptyLyrics() {
  return {
    words: [],
    starts: new Float64Array(0),
    wordEls: [],
    lineEls: [],
    lineOf: [],
    sungUpTo: -1,
    active: -1,
    line: -1,
  };
}

export function initLyrics() {
  $('lyrics-view').addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : null;
    const word = target?.closest('.word');
    const line = target?.closest('.line-time');
    if (word) seekTo(lyrics.words[Number(word.dataset.i)].start);
    else if (line) seekTo(Number(line.dataset.start));
  });
}

/** Lines of timed words from transcription.json, whatever its exact shape. */
function lyricLines(doc) {
  if (!doc || typeof doc !== 'object') return [];
  const isWord = (w) => w && typeof w.word === 'string' && Number.isFinite(w.start) && Number.isFinite(w.end);
  for (const key of ['segments', 'lines']) {
    const groups = Array.isArray(doc[key])
      ? doc[key].filter((g) => Array.isArray(g?.words) && g.words.some(isWord))
      : [];
    if (groups.length > 0)
      return groups.map((g) => ({ words: g.words.filter(isWord), lowConfidence: g.low_confidence === true }));
  }
  const words = Array.isArray(doc.words) ? doc.words.filter(isWord) : [];
  if (words.length === 0) return [];
  const lines = [];
  if (words.every((w) => Number.isInteger(w.line))) {
    for (const w of words) {
      if (lines.length === 0 || lines[lines.length - 1].key !== w.line)
        lines.push({ key: w.line, words: [] });
      lines[lines.length - 1].words.push(w);
    }
    return lines;
  }
  for (const w of words) {
    const cur = lines[lines.length - 1];
    const prev = cur?.words[cur.words.length - 1];
    if (!cur || cur.words.length >= MAX_WORDS_PER_LINE || w.start - prev.end > LINE_GAP_S)
      lines.push({ words: [w] });
    else cur.words.push(w);
  }
  return lines;
}

/** Shows transcription.json (`doc`), or why there are no lyrics from the transcription `stage`. */
export function renderLyrics(doc, stage) {
  const box = $('lyrics-view');
  const note = $('no-lyrics');
  const lines = lyricLines(doc);
  const L = emptyLyrics();
  const lineEls = [];
  for (const [li, line] of lines.entries()) {
    const first = line.words[0];
    const wordsSpan = el('span', { class: 'line-words' });
    for (const w of line.words) {
      const flags = Array.isArray(w.flags) ? w.flags : [];
      const span = el('span', {
        class: `word${flags.length ? ' flagged' : ''}`,
        'data-i': L.words.length,
        title: flags.length ? flags.join(', ').replaceAll('_', ' ') : undefined,
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
      'data-start': first.start,
      'aria-label': `Play from ${fmtTime(first.start)}`,
      text: fmtTime(first.start),
    });
    const lineAttrs = line.lowConfidence
      ? {
          class: 'line low-confidence',
          title: 'timing uncertain: this line could not be placed with confidence',
        }
      : { class: 'line' };
    lineEls.push(el('p', lineAttrs, seek, wordsSpan));
  }
  L.starts = Float64Array.from(L.words, (w) => w.start);
  L.lineEls = lineEls;
  lyrics = L;
  box.replaceChildren(...lineEls);
  box.hidden = lineEls.length === 0;
  if (lineEls.length === 0) {
    const why =
      stage?.error?.message ??
      (stage?.status === 'skipped' ? (stage?.message ?? 'not requested') : 'no words were found');
    note.textContent = `No lyrics: ${why}.`;
  }
  note.hidden = lineEls.length > 0;
  sync();
}

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

function scrollLyricsTo(lineEl) {
  const box = $('lyrics-view');
  const top = lineEl.offsetTop - box.clientHeight * LINE_ANCHOR;
  box.scrollTo({ top: Math.max(0, top), behavior: reducedMotion ? 'auto' : 'smooth' });
}

export function resetLyrics() {
  lyrics = emptyLyrics();
  $('lyrics-view').replaceChildren();
}
