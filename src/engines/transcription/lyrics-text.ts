import { pronounce, type PhoneClass } from './pronounce.js';

/**
 * Given lyrics (plain text, one lyric line per line) → tokens with their line, syllable count
 * and first sound (from the pronouncing dictionary; the spelling rule for unknown words).
 * Section markers such as "[Chorus]" and empty lines are not sung.
 */
export interface LyricToken {
  /** As written (punctuation kept), what players display. */
  text: string;
  /** Lower-case letters/digits only, what matching compares. */
  norm: string;
  line: number;
  syllables: number;
  /** Class of the word's first sound (undefined when the word is not in the dictionary). */
  onset?: PhoneClass;
}

export interface ParsedLyrics {
  lines: string[];
  tokens: LyricToken[];
}

const SECTION_MARKER = /^\s*[[({].*[\])}]\s*$/;
const MAX_LYRICS_CHARS = 100_000;

export function parseLyrics(text: string): ParsedLyrics {
  const lines: string[] = [];
  const tokens: LyricToken[] = [];
  for (const raw of text.slice(0, MAX_LYRICS_CHARS).split(/\r?\n|\r/)) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (line === '' || SECTION_MARKER.test(line)) continue;
    const words = line.split(' ').filter((w) => normalizeWord(w) !== '');
    if (words.length === 0) continue;
    const li = lines.length;
    lines.push(words.join(' '));
    for (const w of words) {
      const norm = normalizeWord(w);
      tokens.push({ text: w, norm, line: li, syllables: countSyllables(w), onset: pronounce(norm)?.onset });
    }
  }
  return { lines, tokens };
}

/** Matching form of a word: lower case, accents and punctuation (apostrophes too) removed. */
export function normalizeWord(w: string): string {
  return w
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const NUMBER_SYLLABLES = 2; // a digit string is read as a short number on average

/**
 * Syllables of a written word: the dictionary's count per hyphen-separated part, else the
 * English-leaning estimate from spelling: vowel groups, minus a silent final "e"
 * and a non-syllabic "-ed". Good to ±1 on common words, which is all the aligner's
 * duration prior needs. Non-Latin scripts count one syllable per two letters.
 */
export function countSyllables(word: string): number {
  const parts = word
    .split(/[-‐–—]/)
    .map(normalizeWord)
    .filter(Boolean);
  if (parts.length === 0) return 1;
  let total = 0;
  for (const p of parts) total += pronounce(p)?.syllables ?? syllablesOfPart(p);
  return Math.max(1, total);
}

function syllablesOfPart(w: string): number {
  if (/^\d+$/.test(w)) return NUMBER_SYLLABLES * Math.ceil(w.length / 2);
  if (!/[a-z]/.test(w)) return Math.max(1, Math.round(w.length / 2));
  let n = (w.match(/[aeiouy]+/g) ?? []).length;
  // "fly-ing", "play-er", "buy-ing": this y closes one vowel group and the next vowel opens another.
  n += (w.match(/[aeiou]y[aeiou]|^[^aeiouy]+y[aeiou]/g) ?? []).length;
  if (n > 1 && /[^aeiouyl]e$/.test(w))
    n--; // silent e: "name", "alone" (but "little" keeps its)
  else if (n > 1 && /[^l]es$/.test(w) && !/(ch|sh|s|x|z|g|c)es$/.test(w)) n--; // "names" but not "roses"
  if (n > 1 && /[^td]ed$/.test(w)) n--; // "walked" but not "wanted"
  if (/[^aeiou]le$/.test(w) && n === 0) n = 1;
  if (/(ia|io|eo|ua)/.test(w) && !/(tion|sion|cious|tious)/.test(w))
    n += (w.match(/(ia|io|eo|ua)/g) ?? []).length;
  return Math.max(1, n);
}
