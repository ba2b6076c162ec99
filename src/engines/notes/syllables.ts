/**
 * Syllables of a sung word: the count from the CMU pronouncing dictionary (one syllable per
 * stressed-marked vowel phone, the lexicon singers' synthesisers use too), the spelling split
 * into that many parts by vowel groups (V-CV, VC-CV, digraphs kept whole). Words missing from
 * the dictionary fall back to counting vowel groups.
 */
export type Pronunciations = Record<string, string>;

const VOWELS = /[aeiouy]/;
const DIGRAPHS = new Set(['ch', 'ck', 'gh', 'ng', 'ph', 'sh', 'th', 'wh', 'qu']);

let dictionary: Pronunciations | undefined;

/** The dictionary, loaded once on first use (it is ~4 MB). */
export async function loadPronunciations(): Promise<Pronunciations> {
  if (!dictionary) {
    const mod = (await import('cmu-pronouncing-dictionary')) as { dictionary: Pronunciations };
    dictionary = mod.dictionary;
  }
  return dictionary;
}

export function syllableCount(word: string, dict: Pronunciations | undefined): number {
  const w = word.toLowerCase().replace(/[^a-z']/g, '');
  const phones = dict?.[w] ?? dict?.[w.replace(/'/g, '')];
  if (phones) return Math.max(1, (phones.match(/[0-2]/g) ?? []).length);
  return Math.max(1, vowelGroups(w.replace(/'/g, '')).length - (silentE(w) ? 1 : 0));
}

/** The word split into `count` spellings that join back to the word. */
export function splitSyllables(word: string, count: number): string[] {
  if (count <= 1 || word.length < 2) return [word];
  const lower = word.toLowerCase();
  let groups = vowelGroups(lower);
  if (silentE(lower) && groups.length > count) groups = groups.slice(0, -1);
  // Too few vowel groups (e.g. "radio": a, io): split the longest group.
  while (groups.length < count) {
    let longest = -1;
    for (let i = 0; i < groups.length; i++)
      if (groups[i][1] - groups[i][0] > 1 && (longest < 0 || len(groups[i]) > len(groups[longest])))
        longest = i;
    if (longest < 0) break;
    const [a, b] = groups[longest];
    groups.splice(longest, 1, [a, a + 1], [a + 1, b]);
  }
  // Too many: merge the closest pair (fewest consonants between).
  while (groups.length > count) {
    let best = 0;
    for (let i = 1; i < groups.length - 1; i++)
      if (groups[i + 1][0] - groups[i][1] < groups[best + 1][0] - groups[best][1]) best = i;
    groups.splice(best, 2, [groups[best][0], groups[best + 1][1]]);
  }
  if (groups.length < 2) return [word];
  const cuts: number[] = [];
  for (let i = 0; i + 1 < groups.length; i++) cuts.push(cutBetween(lower, groups[i][1], groups[i + 1][0]));
  const parts: string[] = [];
  let from = 0;
  for (const c of cuts) {
    parts.push(word.slice(from, c));
    from = c;
  }
  parts.push(word.slice(from));
  return parts.filter((p) => p.length > 0);
}

/** Where to cut the consonants lower[from, to) between two vowel groups. */
function cutBetween(lower: string, from: number, to: number): number {
  const n = to - from;
  if (n <= 1) return from; // V-CV (or V-V)
  if (n === 2 && DIGRAPHS.has(lower.slice(from, to))) return from; // V-thV
  if (n >= 3 && DIGRAPHS.has(lower.slice(to - 2, to))) return to - 2; // VC-chV
  return from + 1; // VC-CV
}

function vowelGroups(w: string): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < w.length; i++) {
    // A leading y is a consonant (yes, you).
    const vowel = VOWELS.test(w[i]) && !(w[i] === 'y' && i === 0);
    if (!vowel) continue;
    if (out.length > 0 && out[out.length - 1][1] === i) out[out.length - 1][1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

function silentE(w: string): boolean {
  return (
    w.length > 2 && w.endsWith('e') && !w.endsWith('le') && !w.endsWith('ee') && !VOWELS.test(w[w.length - 2])
  );
}

function len(g: [number, number]): number {
  return g[1] - g[0];
}
