// The song's timed material as the page uses it: lyric lines of timed words (whatever the exact
// shape of transcription.json), the beat grid and the sung notes, each re-timeable for a tempo
// variant. Pure functions, no DOM.

// Lyrics without line structure are broken at pauses this long, or after this many words.
const LINE_GAP_S = 1.2;
const MAX_WORDS_PER_LINE = 8;
/** A word whose confidence is under this is shown as unsure. */
export const LOW_WORD_CONFIDENCE = 0.5;

/**
 * @typedef {object} Word
 * @property {string} word
 * @property {number} start
 * @property {number} end
 * @property {number | undefined} confidence
 * @property {string[]} flags
 */
/**
 * @typedef {object} Line
 * @property {Word[]} words
 * @property {number} start
 * @property {number} end
 * @property {boolean} lowConfidence
 */
/**
 * @typedef {object} Beat
 * @property {number} time
 * @property {number} position 1 = downbeat, 0 = unknown
 */
/**
 * @typedef {object} Note
 * @property {number} start
 * @property {number} end
 * @property {number} midi
 * @property {string} text
 */

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === 'object' && v !== null;

/** @param {unknown} w @returns {w is Record<string, any>} */
const isWord = (w) =>
  isObject(w) && typeof w.word === 'string' && Number.isFinite(w.start) && Number.isFinite(w.end);

/** @param {Record<string, any>} w @returns {Word} */
function toWord(w) {
  return {
    word: w.word,
    start: w.start,
    end: Math.max(w.start, w.end),
    confidence: Number.isFinite(w.confidence) ? w.confidence : undefined,
    flags: Array.isArray(w.flags) ? w.flags.filter((f) => typeof f === 'string') : [],
  };
}

/**
 * @param {Word[]} words
 * @param {unknown} [flag] the line's own low_confidence
 * @returns {Line}
 */
function toLine(words, flag) {
  return {
    words,
    start: words[0].start,
    end: words[words.length - 1].end,
    lowConfidence: flag === true,
  };
}

/** Lines of timed words from transcription.json. @param {unknown} doc @returns {Line[]} */
export function lyricLines(doc) {
  if (!isObject(doc)) return [];
  for (const key of ['segments', 'lines']) {
    const groups = Array.isArray(doc[key])
      ? doc[key].filter((g) => isObject(g) && Array.isArray(g.words) && g.words.some(isWord))
      : [];
    if (groups.length > 0)
      return groups.map((g) => toLine(g.words.filter(isWord).map(toWord), g.low_confidence));
  }
  const words = Array.isArray(doc.words) ? doc.words.filter(isWord) : [];
  if (words.length === 0) return [];
  /** @type {{ key?: number, words: Word[] }[]} */
  const lines = [];
  if (words.every((w) => Number.isInteger(w.line))) {
    for (const w of words) {
      if (lines.length === 0 || lines[lines.length - 1].key !== w.line)
        lines.push({ key: w.line, words: [] });
      lines[lines.length - 1].words.push(toWord(w));
    }
  } else {
    for (const w of words) {
      const cur = lines[lines.length - 1];
      const prev = cur?.words[cur.words.length - 1];
      if (!cur || cur.words.length >= MAX_WORDS_PER_LINE || w.start - prev.end > LINE_GAP_S)
        lines.push({ words: [toWord(w)] });
      else cur.words.push(toWord(w));
    }
  }
  return lines.map((l) => toLine(l.words));
}

/** A word the page should mark as unsure. @param {Word} w */
export function isUnsure(w) {
  return (
    w.flags.includes('low_confidence') || (w.confidence !== undefined && w.confidence < LOW_WORD_CONFIDENCE)
  );
}

/** Beats from beats.json (`beats[{time, position}]` or plain times). @param {unknown} doc @returns {Beat[]} */
export function beatList(doc) {
  if (!isObject(doc) || !Array.isArray(doc.beats)) return [];
  const downs = new Set(
    (Array.isArray(doc.downbeats) ? doc.downbeats : []).map((/** @type {number} */ t) =>
      Math.round(t * 1000),
    ),
  );
  return doc.beats
    .map((b) => (typeof b === 'number' ? { time: b } : b))
    .filter((b) => isObject(b) && Number.isFinite(b.time))
    .map((b) => ({
      time: b.time,
      position:
        Number.isInteger(b.position) && b.position > 0
          ? b.position
          : downs.has(Math.round(b.time * 1000))
            ? 1
            : 0,
    }));
}

/** Sung notes from notes.json (`notes[{start, end, midi, text}]`). @param {unknown} doc @returns {Note[]} */
export function noteList(doc) {
  if (!isObject(doc) || !Array.isArray(doc.notes)) return [];
  return doc.notes
    .filter(
      (n) => isObject(n) && Number.isFinite(n.start) && Number.isFinite(n.end) && Number.isFinite(n.midi),
    )
    .map((n) => ({
      start: n.start,
      end: Math.max(n.start, n.end),
      midi: n.midi,
      text: typeof n.text === 'string' ? n.text : typeof n.syllable === 'string' ? n.syllable : '',
    }))
    .sort((a, b) => a.start - b.start);
}

/**
 * Lines played `tempo` times as fast: every time divided by it. For a variant that came
 * without its own re-timed lyrics.
 * @param {Line[]} lines
 * @param {number} tempo
 * @returns {Line[]}
 */
export function retimeLines(lines, tempo) {
  return lines.map((l) => ({
    ...l,
    start: l.start / tempo,
    end: l.end / tempo,
    words: l.words.map((w) => ({ ...w, start: w.start / tempo, end: w.end / tempo })),
  }));
}

/** @template {{ time: number }} T @param {T[]} list @param {number} tempo @returns {T[]} */
export function retimeBeats(list, tempo) {
  return list.map((b) => ({ ...b, time: b.time / tempo }));
}

/**
 * @param {Note[]} notes
 * @param {number} tempo
 * @param {number} semitones the key change, which moves every note
 * @returns {Note[]}
 */
export function retimeNotes(notes, tempo, semitones) {
  return notes.map((n) => ({ ...n, start: n.start / tempo, end: n.end / tempo, midi: n.midi + semitones }));
}
