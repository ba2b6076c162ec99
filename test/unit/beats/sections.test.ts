import { describe, expect, it } from 'vitest';
import { confidenceTerms } from '../../../src/audio/beats/confidence.js';
import { FLUX_DELAY, onsetStrength } from '../../../src/audio/beats/onset-strength.js';
import { trackBeats } from '../../../src/audio/beats/dp-tracker.js';
import { followSections, offPeriodShare, sectionAgreement } from '../../../src/audio/beats/sections.js';
import { std } from '../../../src/audio/beats/stats.js';
import { shareAtPeriod } from '../../../src/audio/beats/tempo-curve.js';
import { beatConfidenceOf, sectionsFollowed } from '../../../src/engines/beats/beat-dsp.js';
import { beatRecall, grooveOn, SR } from './signals.js';

/** Beat times from 0.5 s: `first` beats at bpmA, then bpmB until `seconds` − 0.5. */
function stepped(bpmA: number, bpmB: number, first: number, seconds: number): number[] {
  const out: number[] = [];
  let t = 0.5;
  for (let i = 0; t < seconds - 0.5; i++) {
    out.push(t);
    t += 60 / (i < first ? bpmA : bpmB);
  }
  return out;
}

describe('section agreement: a failure confined to part of a song', () => {
  // 120 BPM for 24 beats (12 s), then 140 BPM for 14 s. The late reading keeps the old period
  // through the second part: right for 12 s, then a grid drifting off every beat.
  const seconds = 26;
  const truth = stepped(120, 140, 24, seconds);
  const stale = stepped(120, 120, 24, seconds);
  const os = onsetStrength(grooveOn(truth, seconds), SR);
  const frames = (times: number[]) => Float64Array.from(times, (t) => t * os.frameRate + FLUX_DELAY);
  const terms = (times: number[]) => {
    const f = frames(times);
    return {
      ...confidenceTerms(os.odf, os.low, f, 0.5, os.odf.length, 0),
      offPeriod: offPeriodShare(sectionAgreement(os.odf, f)),
    };
  };

  it('finds the sections whose own periodicity the beats miss, and none on the true beats', () => {
    expect(terms(truth).offPeriod).toBeLessThanOrEqual(0.1);
    expect(terms(stale).offPeriod).toBeGreaterThan(0.3);
  });

  it('lowers beat confidence for the late reading but not for the true beats', () => {
    // Song-wide, the first half outvotes the second: the old confidence called both sure.
    expect(beatConfidenceOf(terms(truth))).toBeGreaterThan(0.7);
    expect(beatConfidenceOf(terms(stale))).toBeLessThan(0.5);
  });

  it("a period curve scaled to the sections' own periods lets the tracker follow the step", () => {
    const f = frames(stale);
    const ratio = followSections(sectionAgreement(os.odf, f), undefined, os.odf.length);
    expect(ratio).toBeDefined();
    const sd = std(os.odf) || 1;
    const norm = Float32Array.from(os.odf, (v) => v / sd);
    const again = Array.from(
      trackBeats(norm, 0.5 * os.frameRate, { ratio }),
      (t) => (t - FLUX_DELAY) / os.frameRate,
    );
    // After the step (12.5 s on) the late grid hits hardly any beat; the re-tracked beats hit them.
    expect(beatRecall(stale, truth, 0.07, 14)).toBeLessThan(0.5);
    expect(beatRecall(again, truth, 0.07, 14)).toBeGreaterThan(0.85);
  });

  it('tolerates a few stray sections and reaches 0 when a third of the song is off', () => {
    expect(sectionsFollowed(0)).toBe(1);
    expect(sectionsFollowed(0.1)).toBe(1);
    expect(sectionsFollowed(0.2)).toBeCloseTo(0.5);
    expect(sectionsFollowed(0.3)).toBe(0);
  });

  it('shareAtPeriod says how much of a stepped song is played at the reported tempo', () => {
    const f = frames(truth);
    const at120 = shareAtPeriod(f, (60 / 120) * os.frameRate, 0.04);
    const at140 = shareAtPeriod(f, (60 / 140) * os.frameRate, 0.04);
    expect(at120).toBeGreaterThan(0.3);
    expect(at120).toBeLessThan(0.6);
    expect(at140).toBeGreaterThan(0.3);
    expect(at140).toBeLessThan(0.6);
    expect(at120 + at140).toBeGreaterThan(0.85);
    const steady = frames(stepped(120, 120, 0, seconds));
    expect(shareAtPeriod(steady, (60 / 120) * os.frameRate, 0.04)).toBe(1);
  });
});
