import { describe, expect, it } from 'vitest';
import { bestGrid, clickGrid, REFINE_SPAN, shareOnGrid } from '../../../src/audio/beats/click-grid.js';
import { maxFilter3 } from '../../../src/audio/beats/stats.js';
import { analyzeBeats, beatConfidenceOf, sectionsTerm } from '../../../src/engines/beats/beat-dsp.js';
import { grooveOn, hit, SR } from './signals.js';

/** An onset strength (100 fps) with a unit pulse on every grid point and `extra` at the given frames. */
function pulses(n: number, period: number, phase: number, extra: [number, number][] = []): Float32Array {
  const x = new Float32Array(n);
  for (let t = phase; t < n; t += period) x[Math.round(t)] = 1;
  for (const [f, v] of extra) if (f >= 0 && f < n) x[Math.round(f)] = v;
  return x;
}

describe('the click grid', () => {
  it('finds a fractional period and its phase to a hundredth of a frame from an estimate 3 % off', () => {
    const x = pulses(20000, 31.58, 7);
    const g = bestGrid(maxFilter3(x), 32.5, REFINE_SPAN);
    expect(Math.abs(g.period - 31.58)).toBeLessThan(0.01);
    expect(Math.abs(g.phase - 7)).toBeLessThanOrEqual(1);
  });

  it('counts beats on the grid or half-way between its points, not between', () => {
    // Period 40 frames: on, 1 frame off, half-way, a quarter off, an eighth off.
    const beats = Float64Array.from([40, 81, 100, 130, 165]);
    expect(shareOnGrid(beats, 40, 0)).toBeCloseTo(3 / 5);
  });

  it('holds for free beats that slid onto the off-beats for a section, not after a tempo step', () => {
    const p = 44.4;
    const n = 12000;
    const grid = Array.from({ length: Math.floor((n - 20) / p) }, (_, k) => 20 + k * p);
    // Louder off-beats in the middle third: the free beats sit there.
    const off = grid.filter((t) => t > 4000 && t < 8000).map((t): [number, number] => [t + p / 2, 2]);
    const strength = pulses(n, p, 20, off);
    const free = Float64Array.from(grid, (t) => (t > 4000 && t < 8000 ? t + p / 2 : t));
    const held = clickGrid(maxFilter3(strength), free);
    expect(held).toBeDefined();
    expect(Math.abs(held!.period - p)).toBeLessThan(0.02);

    // A step from 44.4 to 40 frames half-way: the beats after it follow the new tempo.
    const stepped: number[] = [];
    for (let t = 20; t < n - 20; t += t < 6000 ? 44.4 : 40) stepped.push(t);
    const x = new Float32Array(n);
    for (const t of stepped) x[Math.round(t)] = 1;
    expect(clickGrid(maxFilter3(x), Float64Array.from(stepped))).toBeUndefined();
  });
});

describe('the click grid near a given period', () => {
  it('is found near the song-wide periodicity when the free beats doubled their rate for a part', () => {
    const p = 33.33;
    const n = 19000;
    const strength = pulses(n, p, 10);
    // Free beats on the grid for 120 s, then at twice the rate (a warp that jumped a level).
    const free: number[] = [];
    for (let t = 10; t < n - 10; t += t < 12000 ? p : p / 2) free.push(t);
    const beats = Float64Array.from(free);
    const held = clickGrid(maxFilter3(strength), beats, 33.4);
    expect(held).toBeDefined();
    expect(Math.abs(held!.period - p)).toBeLessThan(0.01);
  });
});

describe('the engine on a click song whose off-beats are louder for a section', () => {
  it('keeps the beats on the beat through the section, and the tempo exact', () => {
    const bpm = 135;
    const seconds = 60;
    const p = 60 / bpm;
    const beats: number[] = [];
    for (let i = 0; 0.5 + i * p < seconds - 0.5; i++) beats.push(0.5 + i * p);
    const signal = grooveOn(beats, seconds);
    // From 20 s to 40 s, loud bright hits on every off-beat (guitar chops and open hats on the "and"s).
    for (const t of beats) if (t > 20 && t < 40) hit(signal, t + p / 2, 3000, 0.12, 0.05, 1.2);
    const a = analyzeBeats(signal, SR);
    const on = Array.from(a.beats).filter((t) => beats.some((b) => Math.abs(b - t) < 0.035)).length;
    expect(on / a.beats.length).toBeGreaterThan(0.95);
    expect(Math.abs(a.tempoBpm - bpm)).toBeLessThan(0.05);
    expect(a.confidenceTerms?.clickShare).toBeGreaterThan(0.6);
  });
});

describe('beat confidence on a click grid', () => {
  it('does not take the low band as phase evidence once the grid is held', () => {
    // A band recording's right beats: the low band no stronger on them than half-way, every beat alike.
    const terms = {
      offLow: 1.02,
      alternation: 0.92,
      salience: 3,
      acf: 0.5,
      offFull: 1,
      flipShare: 0,
      onPeak: 1,
      jumpShare: 0,
      coverage: 1,
      lowFlipShare: 0.4,
      levelMargin: 0,
      barClear: 1,
    };
    expect(beatConfidenceOf(terms)).toBeLessThan(0.05);
    expect(beatConfidenceOf({ ...terms, clickShare: 0.9 })).toBeGreaterThan(0.9);
  });

  it('does not count sections with their own periodicity against a click grid', () => {
    // A syncopated ballad held to its grid: 43 % of its 8-beat sections peak off the beat period.
    const terms = {
      offLow: 1.24,
      alternation: 0.57,
      salience: 3.5,
      acf: 0.37,
      offFull: 1.15,
      flipShare: 0.06,
      onPeak: 0.95,
      jumpShare: 0,
      coverage: 0.95,
      lowFlipShare: 0.24,
      levelMargin: -0.16,
      barClear: 1,
      offPeriod: 0.43,
    };
    expect(beatConfidenceOf(terms)).toBe(0); // free beats: the sections say they were lost
    expect(beatConfidenceOf({ ...terms, clickShare: 0.68 })).toBeGreaterThan(0.9);
    expect(sectionsTerm(0.43, undefined)).toBe(0);
    expect(sectionsTerm(0.43, 0.68)).toBe(1);
    expect(sectionsTerm(0.05, undefined)).toBe(1);
  });
});
