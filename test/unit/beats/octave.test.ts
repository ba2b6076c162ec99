import { describe, expect, it } from 'vitest';
import { checkOctave, octaveCues } from '../../../src/audio/beats/octave.js';
import { analyzeBeats, divisionOf } from '../../../src/engines/beats/beat-dsp.js';
import { hit, SR } from './signals.js';

const P = 40; // frames per tracked beat (150 BPM at 100 frames/s)
const N = 48; // tracked beats

/** An onset-strength envelope with a 1-frame peak of `v` at frame `t` (the others 0). */
function envelope(hits: [number, number][]): Float32Array {
  const x = new Float32Array(P * (N + 2));
  for (const [t, v] of hits) {
    const i = Math.round(t);
    if (i >= 0 && i < x.length) x[i] = Math.max(x[i], v);
  }
  return x;
}

const beats = Float64Array.from({ length: N }, (_, i) => P + i * P);

describe('octave check on the tracked beats', () => {
  it('halves eighths read as beats: nothing between the pulses, the kick on every other one', () => {
    // A backbeat tracked twice too fast: kick on odd pulses, snare on every fourth, hats on all.
    const hits: [number, number][] = [];
    const lowHits: [number, number][] = [];
    beats.forEach((t, i) => {
      hits.push([t, i % 4 === 3 ? 1 : 0.6]);
      if (i % 2 === 1) lowHits.push([t, 1]);
    });
    const d = checkOctave(envelope(hits), envelope(lowHits), beats, 180, false);
    expect(d.factor).toBe(0.5);
    expect(d.parity).toBe(1);
    expect(d.cues.half).toBeLessThan(0.2);
    expect(d.cues.lowAlternation).toBeLessThan(0.45);
  });

  it('doubles a half-time reading: four even hits per beat and the kick half-way', () => {
    const hits: [number, number][] = [];
    const lowHits: [number, number][] = [];
    for (const t of beats) {
      hits.push([t, 1], [t + P / 4, 0.5], [t + P / 2, 0.5], [t + (3 * P) / 4, 0.5]);
      lowHits.push([t, 1], [t + P / 2, 0.6]);
    }
    const d = checkOctave(envelope(hits), envelope(lowHits), beats, 70, false);
    expect(d.factor).toBe(2);
  });

  it('keeps a plain rock beat (weaker eighths between the beats, kick on every beat)', () => {
    const hits: [number, number][] = [];
    const lowHits: [number, number][] = [];
    for (const t of beats) {
      hits.push([t, 1], [t + P / 2, 0.45]);
      lowHits.push([t, 1]);
    }
    expect(checkOctave(envelope(hits), envelope(lowHits), beats, 120, false).factor).toBe(1);
  });

  it('halves a syncopated slow groove read at double: a trace half-way in both bands, the kick on both parities', () => {
    // A ballad's eighths tracked as beats: kick on 1, the "and" of 2, 3 and the "and" of 4 (pulses
    // 0, 3, 4, 7 of 8), snare on 2 and 4 (pulses 2, 6), hats on every pulse, a trace of the
    // sixteenths half-way. Its kick does not alternate, so the eighths rule cannot see it.
    const sparse = (halfFull: number, halfLow: number): [Float32Array, Float32Array] => {
      const hits: [number, number][] = [];
      const lowHits: [number, number][] = [];
      beats.forEach((t, i) => {
        const k = i % 8;
        hits.push([t, k === 2 || k === 6 ? 1 : 0.7], [t + P / 2, halfFull]);
        if (k === 0 || k === 3 || k === 4 || k === 7) lowHits.push([t, 1]);
        lowHits.push([t + P / 2, halfLow]);
      });
      return [envelope(hits), envelope(lowHits)];
    };
    const [odf, low] = sparse(0.35, 0.15);
    const d = checkOctave(odf, low, beats, 190, false);
    expect(d.cues.lowAlternation).toBeGreaterThan(0.6);
    expect(d.factor).toBe(0.5);
    expect(d.trackAgain).toBe(true);
    expect(d.parity).toBe(0); // the snare's parity
    // Inside the preferred band the same pulses are a beat; a fast beat with a real subdivision
    // half-way (punk's eighths, 0.6 of the beats) keeps its tempo.
    expect(checkOctave(odf, low, beats, 130, false).factor).toBe(1);
    const [busy, busyLow] = sparse(0.6, 0.15);
    expect(checkOctave(busy, busyLow, beats, 190, false).factor).toBe(1);
    // The halved beat must land in the preferred band (150 → 75 does not).
    expect(checkOctave(odf, low, beats, 150, false).factor).toBe(1);
  });

  it('halves a funk backbeat read at double: the snare on one pulse in four, a busy subdivision', () => {
    // Funk's eighths tracked as beats (188 for 94): sixteenth hats half-way (0.55 of the beats:
    // too busy for the sparse rule), the kick syncopated on both parities (0, 3, 5 of 8), the
    // snare on 2 and 6 of 8, i.e. on one pulse in every 4.
    const groove = (snarePulses: number[], bodyOnKick = 0.2): [Float32Array, Float32Array, Float32Array] => {
      const hits: [number, number][] = [];
      const lowHits: [number, number][] = [];
      const bodyHits: [number, number][] = [];
      beats.forEach((t, i) => {
        const k = i % 8;
        const kick = k === 0 || k === 3 || k === 5;
        const snare = snarePulses.includes(k);
        hits.push([t, snare || kick ? 1 : 0.8], [t + P / 2, 0.5]);
        lowHits.push([t + P / 2, 0.5]);
        if (kick) lowHits.push([t, 1]);
        bodyHits.push([t, snare ? 1 : kick ? bodyOnKick : 0.1], [t + P / 2, 0.1]);
      });
      return [envelope(hits), envelope(lowHits), envelope(bodyHits)];
    };
    const [odf, low, body] = groove([2, 6]);
    const d = checkOctave(odf, low, beats, 188, false, body);
    expect(d.cues.half).toBeGreaterThan(0.45);
    expect(d.cues.lowHalf).toBeGreaterThan(0.4);
    expect(d.cues.backbeat).toBeGreaterThan(1);
    expect(d.factor).toBe(0.5);
    expect(d.trackAgain).toBe(true);
    // Without the body band, or with the snare on every other pulse (a fast backbeat that is
    // right: the snare on 2 and 4 at 180), or inside the preferred band, the tempo stays.
    expect(checkOctave(odf, low, beats, 188, false).factor).toBe(1);
    const [odf2, low2, body2] = groove([2, 6, 0, 4].map((k) => (k + 1) % 8));
    const fast = checkOctave(odf2, low2, beats, 180, false, body2);
    expect(fast.cues.backbeat).toBeLessThan(0.3);
    expect(fast.factor).toBe(1);
    expect(checkOctave(odf, low, beats, 130, false, body).factor).toBe(1);
    // The halved beat must stay in the preferred band (150 → 75 does not).
    expect(checkOctave(odf, low, beats, 150, false, body).factor).toBe(1);
  });

  it('halves a weaker lonely backbeat only where the half-beat is sparse (a hip-hop beat read at double)', () => {
    // The kick half-way in the low band (0.67 of the beats: the sparse rule cannot fire), the snare
    // body a little above the rest on one pulse in four: a backbeat cue of ≈ 0.46.
    const reading = (halfFull: number): [Float32Array, Float32Array, Float32Array] => {
      const hits: [number, number][] = [];
      const lowHits: [number, number][] = [];
      const bodyHits: [number, number][] = [];
      beats.forEach((t, i) => {
        const k = i % 8;
        const kick = k === 0 || k === 3 || k === 5;
        hits.push([t, 1], [t + P / 2, halfFull]);
        lowHits.push([t + P / 2, 0.5], [t, kick ? 1 : 0.6]);
        bodyHits.push([t, k === 2 || k === 6 ? 0.12 : 0.1]);
      });
      return [envelope(hits), envelope(lowHits), envelope(bodyHits)];
    };
    const [odf, low, body] = reading(0.2);
    const d = checkOctave(odf, low, beats, 172, false, body);
    expect(d.cues.backbeat).toBeGreaterThan(0.45);
    expect(d.cues.backbeat).toBeLessThan(0.6);
    expect(d.cues.lowHalf).toBeGreaterThan(0.6);
    expect(d.factor).toBe(0.5);
    expect(checkOctave(odf, low, beats, 172, false).factor).toBe(1);
    // With a real half-beat (0.5 of the beats) the same cue is not enough.
    const [busy, busyLow, busyBody] = reading(0.5);
    expect(checkOctave(busy, busyLow, beats, 172, false, busyBody).factor).toBe(1);
  });

  it('leaves compound beats and tempi outside the walk’s range alone', () => {
    const hits: [number, number][] = [];
    const lowHits: [number, number][] = [];
    beats.forEach((t, i) => {
      hits.push([t, 0.6]);
      if (i % 2 === 0) lowHits.push([t, 1]);
    });
    const odf = envelope(hits);
    const low = envelope(lowHits);
    expect(checkOctave(odf, low, beats, 180, false).factor).toBe(0.5);
    expect(checkOctave(odf, low, beats, 180, true).factor).toBe(1);
    expect(checkOctave(odf, low, beats, 110, false).factor).toBe(1); // 55 BPM would be too slow
    const flat: [number, number][] = [];
    for (const t of beats) flat.push([t, 1], [t + P / 4, 0.5], [t + P / 2, 0.5], [t + (3 * P) / 4, 0.5]);
    const kick = envelope(
      Array.from(beats).flatMap((t): [number, number][] => [
        [t, 1],
        [t + P / 2, 0.6],
      ]),
    );
    expect(checkOctave(envelope(flat), kick, beats, 110, false).factor).toBe(1); // 220 BPM too fast
  });

  it('measures the cues as ratios to the beats', () => {
    const hits: [number, number][] = [];
    for (const t of beats) hits.push([t, 2], [t + P / 2, 1], [t + P / 4, 0.5], [t + (3 * P) / 4, 0.5]);
    const c = octaveCues(envelope(hits), envelope(hits), beats);
    expect(c.half).toBeCloseTo(0.5, 5);
    expect(c.quarter).toBeCloseTo(0.25, 5);
    expect(c.lowAlternation).toBeCloseTo(1, 5);
  });
});

describe('division term of the confidences', () => {
  it('is 1 when the beat divides in two and 0 when the half-beat is no stronger than the quarters', () => {
    expect(divisionOf(0.5, 0.2)).toBe(1);
    expect(divisionOf(0.5, 0.45)).toBe(1);
    expect(divisionOf(0.4, 0.48)).toBe(0);
    expect(divisionOf(0.4, 0.42)).toBeGreaterThan(0);
    expect(divisionOf(0.4, 0.42)).toBeLessThan(1);
    expect(divisionOf(0, 0.3)).toBe(1);
  });
});

describe('the engine on a backbeat whose hi-hats are as loud as the kick', () => {
  it.each([
    [92, 0.25, 0.35],
    [96, 0.3, 0.3],
  ])('reports %s BPM, not its double (hats %s, kick %s)', (bpm, hat, kick) => {
    // Kick on 1 and 3, snare on 2 and 4, hi-hat eighths: the level walk alone took the eighths.
    const seconds = 24;
    const out = new Float32Array(seconds * SR);
    const p = 60 / bpm;
    const beats: number[] = [];
    for (let i = 0; 0.5 + i * p < seconds - 0.5; i++) {
      const t = 0.5 + i * p;
      beats.push(t);
      if (i % 2 === 0) hit(out, t, 55, kick, 0.06);
      else hit(out, t, 200, 0.3, 0.05, 0.6);
      hit(out, t, 8000, 0, 0.01, hat);
      hit(out, t + p / 2, 8000, 0, 0.01, hat);
    }
    const a = analyzeBeats(out, SR);
    expect(Math.abs(a.tempoBpm / bpm - 1)).toBeLessThan(0.02);
    expect(a.confidenceTerms?.octave).toBe(0.5);
    const hits = beats.filter((t) => a.beats.some((b) => Math.abs(b - t) < 0.07)).length;
    expect(hits / beats.length).toBeGreaterThan(0.9);
  });
});
