/**
 * A word's syllable boundaries chosen jointly on the song's beat grid. A melody's syllables are
 * sung on its grid: each syllable of a line lasts a whole number of the line's grid unit (an
 * eighth, or a 16th in a crowded line), and a syllable before a word's last is mostly one unit
 * long (the last, above all a line's last, is the one held). So a word's later syllables start on
 * the unit lattice from the word's own grid point, and the choice is between a few such
 * partitions: each scored by how well one steady pitch per syllable explains the voiced frames
 * (the frames just before a boundary may already carry the next pitch: a voiced consonant, or a
 * glide into the next note) plus a prior on the syllables' lengths. Which unit a line moves in is
 * read from the words themselves: the line's syllable rate (time from its first word's start to
 * its last word's start per syllable sung before the last word).
 */

/** The song's grid, when its beats are known. */
export interface SyllableGrid {
  /** Every 16th note (s, ascending; a compound meter's beat has six). */
  sixteenths: readonly number[];
  /** 16ths per beat (4, or 6 in a compound meter). */
  perBeat: number;
}

export interface TimedWord {
  start: number;
  end: number;
  /** Syllable count (≥ 1). */
  syllables: number;
}

/** Words this far apart (beats, from one's end to the next's start) are in different lines. */
const LINE_GAP_BEATS = 0.75;
/** A line's rate is read when at least this many syllables come before its last word. */
const RATE_SYLLABLES = 3;
/** A line moves in 16ths when its syllables are this short (16ths per syllable), in eighths otherwise. */
const SIXTEENTH_RATE = 1.6;
/**
 * The song's median line rate at or above this (16ths per syllable) means its beats were counted
 * twice as fast as it moves (the beat tracker's double tempo): every unit is doubled.
 */
const DOUBLE_RATE = 3.8;

/**
 * The grid unit (in 16ths: 1, 2, or 4 when the beats run at double tempo) of every word's line;
 * lines without enough syllables to read a rate take the song's.
 */
export function lineUnits(words: readonly TimedWord[], grid: SyllableGrid): number[] {
  const s16 = sixteenthLength(grid);
  const lines: number[][] = [];
  words.forEach((w, i) => {
    const prev = words[i - 1];
    if (!prev || w.start - prev.end > LINE_GAP_BEATS * grid.perBeat * s16) lines.push([]);
    lines[lines.length - 1].push(i);
  });
  const rates = lines.map((line) => {
    const first = words[line[0]];
    const last = words[line[line.length - 1]];
    let syl = 0;
    for (const i of line.slice(0, -1)) syl += words[i].syllables;
    return syl >= RATE_SYLLABLES ? (last.start - first.start) / s16 / syl : NaN;
  });
  const known = rates.filter((r) => Number.isFinite(r)).sort((a, b) => a - b);
  const songRate = known.length ? known[known.length >> 1] : 2;
  const scale = songRate >= DOUBLE_RATE ? 2 : 1;
  const out: number[] = new Array(words.length).fill(2 * scale);
  lines.forEach((line, k) => {
    const rate = (Number.isFinite(rates[k]) ? rates[k] : songRate) / scale;
    for (const i of line) out[i] = (rate < SIXTEENTH_RATE ? 1 : 2) * scale;
  });
  return out;
}

function sixteenthLength(grid: SyllableGrid): number {
  const g = grid.sixteenths;
  if (g.length < 2) return 0.125;
  const d: number[] = [];
  for (let i = 1; i < g.length; i++) d.push(g[i] - g[i - 1]);
  d.sort((a, b) => a - b);
  return d[d.length >> 1];
}

/** A word's vowel is this long after its start (a consonant leads the note on the beat). */
const VOWEL_AFTER_S = 0.025;
/** A word starts on the grid when its vowel is this close to a point of its line's lattice (of a unit). */
const ON_GRID_UNITS = 0.4;
/** The word's last syllable keeps at least this much of a unit. */
const LAST_MIN_UNITS = 0.4;
/** Frames before a boundary that may carry the next syllable's pitch (s; at most half the syllable). */
const ANTICIPATION_S = 0.15;
/** A frame's pitch cost is capped here (semitones): an octave slip or a stray frame costs no more. */
const COST_CAP = 3;
/** Semitone-frames of pitch cost worth one nat of the length prior. */
const COST_PER_NAT = 6;
/** Length prior of a syllable before a word's last (units): 1, 2, 3, more. */
const LENGTH_PRIOR = [0.85, 0.11, 0.02, 0.02];
/** A later syllable's vowel: the level's rise into its boundary (dB, max after − min before), worth this many nats per dB… */
const RISE_NATS_PER_DB = 0.2;
const RISE_CAP_DB = 20;
const RISE_BEFORE = 8;
const RISE_AFTER = 4;
/** The onset is looked for from this many frames before the boundary to this many after, in full up to RISE_FULL. */
const RISE_EARLY = 3;
const RISE_LATE = 16;
const RISE_FULL = 8;
/** … and its first voiced frame this soon after it (frames); each unvoiced frame later costs this. */
const VOICE_FREE_FRAMES = 5;
const LATE_VOICE_NATS = 0.2;
const LATE_VOICE_CAP = 30;
/** At most this many partitions are scored (else no grid choice). */
const MAX_PARTITIONS = 20000;

/**
 * The frames where a word's later syllables start, on its line's lattice (unit in 16ths), or
 * undefined when the word does not sit on the grid or cannot hold its syllables there.
 * `midi`: smoothed fractional MIDI per frame (NaN unvoiced); frames [f0, f1) are the word's.
 */
export function gridBoundaries(
  midi: Float32Array,
  levelDb: Float32Array | undefined,
  hop: number,
  word: TimedWord,
  f0: number,
  f1: number,
  unit: number,
  grid: SyllableGrid,
): GridSyllables | undefined {
  const k = word.syllables;
  if (k < 2) return undefined;
  const g = grid.sixteenths;
  const s16 = sixteenthLength(grid);
  const unitS = unit * s16;
  const vowel = word.start + VOWEL_AFTER_S;
  // The lattice point nearest the word's vowel: a 16th index that is a multiple of the unit.
  let best = -1;
  for (let i = 0; i < g.length; i += 1) {
    if (i % unit !== 0) continue;
    if (best < 0 || Math.abs(g[i] - vowel) < Math.abs(g[best] - vowel)) best = i;
  }
  if (best < 0 || Math.abs(g[best] - vowel) > ON_GRID_UNITS * unitS) return undefined;
  // Candidate boundaries: lattice points after the word's, in units from it.
  const cands: { frame: number; pos: number }[] = [];
  for (let j = 1; best + j * unit < g.length; j++) {
    const t = g[best + j * unit];
    if (t > word.end - LAST_MIN_UNITS * unitS) break;
    const frame = Math.round(t / hop);
    if (frame > f0 && frame < f1) cands.push({ frame, pos: j });
  }
  if (cands.length < k - 1) return undefined;
  if (binomial(cands.length, k - 1) > MAX_PARTITIONS) return undefined;
  const anticipation = Math.round(ANTICIPATION_S / hop);
  // What each candidate boundary's own frames say: a vowel's level rise, a voice starting late.
  const own = cands.map(({ frame }) => {
    let c = 0;
    if (levelDb) {
      // The strongest vowel onset from just before the boundary to a consonant's length after it
      // (a syllable's note starts with its consonant), less the further it lies after it.
      let r = 0;
      for (let f = frame - RISE_EARLY; f <= frame + RISE_LATE; f++) {
        const w = f - frame <= RISE_FULL ? 1 : 1 - (0.5 * (f - frame - RISE_FULL)) / (RISE_LATE - RISE_FULL);
        r = Math.max(r, w * levelRise(levelDb, f));
      }
      c -= RISE_NATS_PER_DB * r;
    }
    let late = 0;
    while (late < LATE_VOICE_CAP && frame + late < f1 && Number.isNaN(midi[frame + late])) late++;
    c += LATE_VOICE_NATS * Math.max(0, late - VOICE_FREE_FRAMES);
    return c;
  });
  const ownOf = new Map(cands.map((c, i) => [c.frame, own[i]]));
  const unitFrames = unitS / hop;
  const memo = new Map<number, SyllableFit>();
  const fit = (a: number, b: number, last: boolean): SyllableFit => {
    const key = (a * 1e6 + b) * 2 + (last ? 1 : 0);
    let r = memo.get(key);
    if (!r) {
      const end = last ? b : b - Math.min(anticipation, Math.floor((b - a) / 2));
      r = syllableFit(midi, a, b, end, unitFrames);
      memo.set(key, r);
    }
    return r;
  };
  let bestCost = Infinity;
  let bestCuts: { frame: number; pos: number }[] = [];
  const cuts: { frame: number; pos: number }[] = [];
  const visit = (from: number, left: number): void => {
    if (left === 0) {
      const edges = [f0, ...cuts.map((c) => c.frame), f1];
      let c = 0;
      for (let s = 0; s + 1 < edges.length; s++) {
        const last = s + 2 === edges.length;
        c += fit(edges[s], edges[s + 1], last).cost;
        if (!last) {
          const units = cuts[s].pos - (s === 0 ? 0 : cuts[s - 1].pos);
          c -= Math.log(LENGTH_PRIOR[Math.min(units, LENGTH_PRIOR.length) - 1]);
          c += ownOf.get(cuts[s].frame) ?? 0;
        }
      }
      if (c < bestCost) {
        bestCost = c;
        bestCuts = cuts.slice();
      }
      return;
    }
    for (let j = from; j <= cands.length - left; j++) {
      cuts.push(cands[j]);
      visit(j + 1, left - 1);
      cuts.pop();
    }
  };
  visit(0, k - 1);
  if (bestCuts.length === 0) return undefined;
  const edges = [f0, ...bestCuts.map((c) => c.frame), f1];
  return {
    cuts: bestCuts.map((c) => c.frame),
    slurs: edges.slice(0, -1).map((a, s) => fit(a, edges[s + 1], s + 2 === edges.length).slur),
  };
}

/** A word's syllables on the grid: where the later ones start, and where a syllable slurs to a second note. */
export interface GridSyllables {
  /** Frames where syllables 1… start. */
  cuts: number[];
  /** Per syllable: the frame of its second note (a slur), if it sings two. */
  slurs: (number | undefined)[];
}

interface SyllableFit {
  /** Nats: the pitch cost, and a slur's prior when it sings two notes. */
  cost: number;
  slur?: number;
}

/** A syllable this long (units of its line, and frames) may glide to a second note… */
const SLUR_MIN_UNITS = 2.5;
const SLUR_MIN_FRAMES = 40;
/** … in its middle (this share of it on either side), a step at least this large (semitones)… */
const SLUR_MIDDLE = 0.3;
const SLUR_MIN_STEP = 0.8;
/** … at this prior cost (nats). */
const SLUR_NATS = 2;

/** One note over the syllable's frames [a, end) (end: before the next one's anticipation), or two. */
function syllableFit(midi: Float32Array, a: number, b: number, end: number, unitFrames: number): SyllableFit {
  const one = steadyCost(midi, a, end) / COST_PER_NAT;
  if (b - a < Math.max(SLUR_MIN_FRAMES, SLUR_MIN_UNITS * unitFrames)) return { cost: one };
  let best: SyllableFit = { cost: one };
  const lo = a + Math.round(SLUR_MIDDLE * (b - a));
  const hi = Math.min(end - 4, b - Math.round(SLUR_MIDDLE * (b - a)));
  for (let c = lo; c <= hi; c++) {
    const cost = (steadyCost(midi, a, c) + steadyCost(midi, c, end)) / COST_PER_NAT + SLUR_NATS;
    if (cost < best.cost && octaveFolded(medianIn(midi, a, c) - medianIn(midi, c, end)) >= SLUR_MIN_STEP)
      best = { cost, slur: c };
  }
  return best;
}

/** How far the level climbs at frame f: the top of the next RISE_AFTER frames over the floor of the last RISE_BEFORE (dB, capped). */
function levelRise(levelDb: Float32Array, f: number): number {
  if (f < 0 || f >= levelDb.length) return 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = Math.max(0, f - RISE_BEFORE); i <= f; i++) lo = Math.min(lo, levelDb[i]);
  for (let i = f; i <= Math.min(levelDb.length - 1, f + RISE_AFTER); i++) hi = Math.max(hi, levelDb[i]);
  return Math.max(0, Math.min(RISE_CAP_DB, hi - lo));
}

/** |d| to the nearest whole octave (semitones, 0..6). */
function octaveFolded(d: number): number {
  const r = Math.abs(d) % 12;
  return Math.min(r, 12 - r);
}

function medianIn(midi: Float32Array, from: number, to: number): number {
  const v: number[] = [];
  for (let f = from; f < to; f++) if (!Number.isNaN(midi[f])) v.push(midi[f]);
  if (v.length === 0) return NaN;
  v.sort((x, y) => x - y);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/**
 * Σ min(|pitch − median|, COST_CAP) over the voiced frames in [from, to), the distance taken
 * to the nearest octave of the median (the tracker's octave slips are no pitch change).
 */
function steadyCost(midi: Float32Array, from: number, to: number): number {
  const v: number[] = [];
  for (let f = from; f < to; f++) if (!Number.isNaN(midi[f])) v.push(midi[f]);
  if (v.length === 0) return 0;
  const sorted = v.slice().sort((x, y) => x - y);
  const m = sorted.length >> 1;
  const med = sorted.length % 2 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
  let c = 0;
  for (const x of v) c += Math.min(COST_CAP, octaveFolded(x - med));
  return c;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}
