import { dictionary } from 'cmu-pronouncing-dictionary';

/**
 * A word's syllables and sounds from the CMU Pronouncing Dictionary (ARPAbet, first listed
 * pronunciation). The aligner needs to know how many vowels (sung notes) a word has and
 * where its consonants are: a word that opens with a fricative or a stop starts with
 * noise before the voice. Unknown words return undefined (the caller falls back to the
 * spelling rule).
 */
export type PhoneClass =
  'vowel' | 'stop' | 'fricative' | 'nasal' | 'liquid' | 'glide' | 'affricate' | 'aspirate';

export interface Pronunciation {
  phones: string[];
  syllables: number;
  /** Class of the first sound. */
  onset: PhoneClass;
}

const CLASS: Record<string, PhoneClass> = {
  P: 'stop',
  B: 'stop',
  T: 'stop',
  D: 'stop',
  K: 'stop',
  G: 'stop',
  F: 'fricative',
  V: 'fricative',
  TH: 'fricative',
  DH: 'fricative',
  S: 'fricative',
  Z: 'fricative',
  SH: 'fricative',
  ZH: 'fricative',
  HH: 'aspirate',
  CH: 'affricate',
  JH: 'affricate',
  M: 'nasal',
  N: 'nasal',
  NG: 'nasal',
  L: 'liquid',
  R: 'liquid',
  W: 'glide',
  Y: 'glide',
};

export function phoneClass(phone: string): PhoneClass {
  const base = phone.replace(/\d/g, '');
  return CLASS[base] ?? 'vowel';
}

/** `norm` is the matching form (lower-case letters/digits, apostrophes removed). */
export function pronounce(norm: string): Pronunciation | undefined {
  const entry = lookup(norm);
  if (!entry) return undefined;
  const phones = entry.split(' ').filter(Boolean);
  if (phones.length === 0) return undefined;
  const syllables = phones.filter((p) => /\d$/.test(p)).length;
  return { phones, syllables: Math.max(1, syllables), onset: phoneClass(phones[0]) };
}

function lookup(norm: string): string | undefined {
  const own = (w: string) => (Object.hasOwn(dictionary, w) ? dictionary[w] : undefined);
  const direct = own(norm);
  if (direct) return direct;
  // The dictionary spells contractions with their apostrophe ("don't"); the matching form has none.
  if (norm.length > 2) {
    for (const tail of ["'s", "'t", "'re", "'ll", "'ve", "'d", "'m"]) {
      const stem = tail.slice(1);
      if (norm.endsWith(stem)) {
        const hit = own(`${norm.slice(0, -stem.length)}${tail}`);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}
