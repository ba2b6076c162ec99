import { alternation } from './confidence.js';
import { maxAround } from './stats.js';
import { PREFERRED_HIGH_BPM, PREFERRED_LOW_BPM, tempoStrain } from './tempo-prior.js';

/**
 * A last check of the metrical level on the tracked beats themselves, for the two readings the
 * level walk (`chooseLevel`) gets wrong on band recordings whose hi-hats are as loud as the kick
 * and snare:
 *
 *  - **eighths read as beats** (a backbeat at 90 reported at 180): nothing sits between the
 *    tracked pulses in any band (no subdivision at all), and the kick and bass play only on every
 *    other pulse. The pulses are then the eighths of a beat half as fast — the kick and snare on
 *    one parity, the hats alone on the other. Halve, keeping the parity with the drums.
 *  - **a slow groove's eighths read as beats** where the kick does not alternate (a syncopated
 *    ballad at 95 read at 190, kick on 1, the "and" of 2, 3 and the "and" of 4; a ghost-note
 *    groove at 87 read at 174): well above the preferred band, neither band has more than a
 *    trace half-way between the pulses, and the two parities differ. Halve and track again.
 *  - **a backbeat read at double** however busy its subdivision (funk at 94 read at 188, its
 *    sixteenth hats and syncopated kick half-way): the snare's body sits on one pulse in every 4
 *    and not on the pulse two after it (`backbeatCycle`). Halve and track again.
 *  - **a half-time reading** (a half-time groove, kick on 1 and snare on 3, at 70 for 140; a
 *    drum'n'bass break at 88 for 175): the points between the beats are all alike — the
 *    half-beat no stronger than the quarter-beats, i.e. four even hi-hat hits per beat — and the
 *    kick or bass also plays half-way. Hats that split the beat in four evenly are the eighths of a
 *    beat twice as fast. Double.
 *
 * Neither applies to compound beats (their subdivision is in three), nor beyond the tempo range
 * the level walk allows (a halved beat below SLOWEST_BPM, a doubled one above FASTEST_BPM).
 */

/**
 * Half-way over on-beat onset strength below this: the pulses have no subdivision at all. A
 * reading above the preferred tempo band (`tempoStrain`) is halved on sparser evidence, up to
 * EMPTY_HALF_STRAINED: a backbeat at 98 read at 195 keeps its sixteenth hats and ghost notes
 * half-way (0.20–0.21 of the beats), which a true 190 BPM punk beat has at 0.45 and more.
 */
const EMPTY_HALF = 0.2;
const EMPTY_HALF_STRAINED = 0.3;
/**
 * A reading above the preferred band is halved, whatever the kick does, when the full band stays
 * under SPARSE_HALF × `tempoStrain` half-way and the low band under SPARSE_LOW_HALF × the strain,
 * and the halved beat stays in the preferred band. Fast beats that are right keep a subdivision in
 * the low band: on the renders, punk, metal and drum'n'bass at 166–193 BPM have a low-band
 * half-beat of 0.1 or more above its threshold (a punk song at 187.5: 0.53 against 0.45); the slow
 * grooves read at double have 0.29–0.40 in the low band and 0.23–0.45 in the full band
 * (BENCHMARKS.md, "A slow groove's eighths").
 */
const SPARSE_HALF = 0.66;
const SPARSE_LOW_HALF = 0.55;
/**
 * …and the pulses of one parity differ from the other's in either band (`alternation` of the full
 * band, `lowAlternation`, below this): a bar's pattern of slower beats. Pulses all alike (a
 * metronome at 210) keep their rate; the slow grooves read at double have 0.80–0.91 in the full
 * band, or a kick on one parity (0.45–0.72) under even hats (0.98).
 */
const ALIKE_PULSES = 0.95;
/**
 * A backbeat read at double: the snare's body (over the kick) on one pulse in every 4 and not on
 * the pulse two after it, by at least this (`backbeat`): at the true tempo the snare is on every
 * other beat, at twice it on every fourth pulse. Right fast readings have the snare on both
 * off-pulses of the 4 (punk, rock, drum'n'bass at 168–196: 0.34 at most).
 */
const LONELY_BACKBEAT = 0.6;
/**
 * …or this where the full band's half-beat is already sparse (under SPARSE_HALF × `tempoStrain`)
 * but the kick plays half-way, so the sparse rule cannot see it (a hip-hop beat at 86 read at
 * 172, its kick on the "a" of 2: 0.49). Right fast beats with a sparse half-beat reach 0.39 (a
 * rock beat at 182, whose hats are on the beat only).
 */
const LONELY_BACKBEAT_SPARSE = 0.45;
/** Low band (kick, bass) on the weaker parity over the stronger one below this: every other pulse only. */
const LOW_ALTERNATE = 0.6;
/**
 * Quarter-beat over half-beat strength at least this: the subdivision is flat (four even hits);
 * down to FLAT_QUARTER_STRAINED for a reading below the preferred band (`tempoStrain`).
 */
const FLAT_QUARTER = 0.9;
const FLAT_QUARTER_STRAINED = 0.8;
/** …with a half-beat of at least this (a real subdivision, not silence between the beats)… */
const MIN_HALF = 0.3;
/** …and the kick or bass half-way at least this (relative to the beats). */
const MIN_LOW_HALF = 0.3;
/** A halved beat must stay at or above this tempo, a doubled one at or below FASTEST_BPM. */
export const SLOWEST_BPM = 60;
export const FASTEST_BPM = 200;

export interface OctaveCues {
  /** Onset strength half-way between beats over that at the beats (full band, low band). */
  half: number;
  lowHalf: number;
  /** Onset strength at the quarter points (¼, ¾) over that at the beats. */
  quarter: number;
  /**
   * Low band: the weaker parity of the beats over the weaker of the stronger parity's two pulses in
   * every 4 (capped at 1). Low when the kick or bass plays on every other beat and only there.
   */
  lowAlternation: number;
  /** The parity (0, 1) of the beats with the most onset strength (full + low band). */
  strongParity: number;
  /**
   * Snare body over kick (each over its mean) on the strongest pulse of every 4 less that on the
   * pulse two after it (`backbeatCycle`); 0 without a body band.
   */
  backbeat: number;
}

/** What the check decided: 1 (keep), 0.5 (halve: every other beat, from `parity`) or 2 (double). */
export interface OctaveDecision {
  factor: 0.5 | 1 | 2;
  parity: number;
  /**
   * Track the new level again rather than keep every other beat at `parity` (a doubled level is
   * always tracked again): a slow groove read at double may slip a pulse at a tempo change, and
   * the beats of one parity then cross from the beat to the off-beat there.
   */
  trackAgain?: boolean;
  cues: OctaveCues;
}

/**
 * How lonely the backbeat is in a cycle of 4 pulses: per position, the body band's mean strength
 * over its mean at all 4 less the low band's likewise (a snare scores high, a kick low); the best
 * position less the one two after it.
 */
export function backbeatCycle(body: Float32Array, low: Float32Array, beats: Float64Array): number {
  const b = [0, 0, 0, 0];
  const l = [0, 0, 0, 0];
  for (let i = 0; i < beats.length; i++) {
    b[i & 3] += maxAround(body, beats[i], 2);
    l[i & 3] += maxAround(low, beats[i], 2);
  }
  const bSum = b[0] + b[1] + b[2] + b[3];
  const lSum = l[0] + l[1] + l[2] + l[3];
  if (beats.length < 8 || !(bSum > 0) || !(lSum > 0)) return 0;
  const s = b.map((v, k) => (4 * v) / bSum - (4 * l[k]) / lSum);
  let p = 0;
  for (let k = 1; k < 4; k++) if (s[k] > s[p]) p = k;
  return s[p] - s[(p + 2) & 3];
}

/**
 * The cues of `beats` (frame positions, ascending) on the full-band and low-band onset strengths
 * (and the body band's, for `backbeat`).
 */
export function octaveCues(
  odf: Float32Array,
  low: Float32Array,
  beats: Float64Array,
  body?: Float32Array,
): OctaveCues {
  const n = beats.length;
  let on = 0;
  let lowOn = 0;
  let half = 0;
  let lowHalf = 0;
  let quarter = 0;
  const par = [0, 0];
  const cnt = [0, 0];
  // Low band per beat position modulo 4 (a bar of the half-speed beat is 4 of these pulses).
  const lowPos = [0, 0, 0, 0];
  const posCnt = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const v = maxAround(odf, beats[i], 2);
    const l = maxAround(low, beats[i], 2);
    on += v;
    lowOn += l;
    par[i & 1] += v + l;
    cnt[i & 1]++;
    lowPos[i & 3] += l;
    posCnt[i & 3]++;
    if (i + 1 < n) {
      const d = beats[i + 1] - beats[i];
      half += maxAround(odf, beats[i] + d / 2, 2);
      lowHalf += maxAround(low, beats[i] + d / 2, 2);
      quarter += 0.5 * (maxAround(odf, beats[i] + d / 4, 2) + maxAround(odf, beats[i] + (3 * d) / 4, 2));
    }
  }
  const gaps = Math.max(1, n - 1);
  on /= Math.max(1, n);
  lowOn /= Math.max(1, n);
  const r = (a: number, b: number): number => (b > 0 ? a / b : 0);
  const lp = lowPos.map((v, k) => r(v, posCnt[k]));
  // The kick must be on both pulses of its parity in every 4 (1 and 3 of the slower beat), not
  // only on one of them (a kick on the downbeat alone under quarter-note clicks).
  const strongLow = lp[0] + lp[2] >= lp[1] + lp[3] ? 0 : 1;
  const weak = 0.5 * (lp[1 - strongLow] + lp[3 - strongLow]);
  const strong = Math.min(lp[strongLow], lp[strongLow + 2]);
  return {
    half: r(half / gaps, on),
    lowHalf: r(lowHalf / gaps, lowOn),
    quarter: r(quarter / gaps, on),
    lowAlternation: strong > 0 ? Math.min(1, weak / strong) : 1,
    strongParity: r(par[1], cnt[1]) > r(par[0], cnt[0]) ? 1 : 0,
    backbeat: body ? backbeatCycle(body, low, beats) : 0,
  };
}

/**
 * The octave check (see the file comment) for beats at `bpm`; `compound` beats are left alone.
 * `body` (the snare-body band's onset strength) enables the lonely-backbeat rule.
 */
export function checkOctave(
  odf: Float32Array,
  low: Float32Array,
  beats: Float64Array,
  bpm: number,
  compound: boolean,
  body?: Float32Array,
): OctaveDecision {
  const cues = octaveCues(odf, low, beats, body);
  const keep: OctaveDecision = { factor: 1, parity: 0, cues };
  if (compound || beats.length < 8) return keep;
  const fast = bpm > PREFERRED_HIGH_BPM ? tempoStrain(bpm) : 0;
  const slow = bpm < PREFERRED_LOW_BPM ? tempoStrain(bpm) : 0;
  const emptyHalf = EMPTY_HALF + (EMPTY_HALF_STRAINED - EMPTY_HALF) * fast;
  const flatQuarter = FLAT_QUARTER + (FLAT_QUARTER_STRAINED - FLAT_QUARTER) * slow;
  if (cues.half < emptyHalf && cues.lowAlternation < LOW_ALTERNATE && bpm / 2 >= SLOWEST_BPM)
    return { factor: 0.5, parity: cues.strongParity, cues };
  if (
    cues.half < SPARSE_HALF * fast &&
    cues.lowHalf < SPARSE_LOW_HALF * fast &&
    bpm / 2 >= PREFERRED_LOW_BPM &&
    Math.min(cues.lowAlternation, alternation(odf, beats)) < ALIKE_PULSES
  )
    return { factor: 0.5, parity: cues.strongParity, cues, trackAgain: true };
  const lonely = cues.half < SPARSE_HALF * fast ? LONELY_BACKBEAT_SPARSE : LONELY_BACKBEAT;
  if (fast > 0 && cues.backbeat >= lonely && bpm / 2 >= PREFERRED_LOW_BPM)
    return { factor: 0.5, parity: cues.strongParity, cues, trackAgain: true };
  if (
    cues.half >= MIN_HALF &&
    cues.quarter >= flatQuarter * cues.half &&
    cues.lowHalf >= MIN_LOW_HALF &&
    bpm * 2 <= FASTEST_BPM
  )
    return { factor: 2, parity: 0, cues };
  return keep;
}
