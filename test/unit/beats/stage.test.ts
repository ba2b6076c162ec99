import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PcmAudio } from '../../../src/audio/pcm.js';
import { CancelledError } from '../../../src/errors.js';
import { createBeatsStage } from '../../../src/stages/analyze-beats.js';
import { jobPaths } from '../../../src/storage/paths.js';
import { clickTrack, SR } from './signals.js';
import { stageContext, type TestStageContext } from '../../helpers/stage-context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function context(mix: PcmAudio, signal?: AbortSignal): TestStageContext {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beats-stage-'));
  dirs.push(dir);
  return stageContext({ stage: 'beats', paths: jobPaths(dir), signal, loadMix: async () => mix });
}

const stereo = (x: Float32Array): PcmAudio => ({ sampleRate: SR, channels: [x, x] });

describe('beats stage', () => {
  it('writes analysis.json, beats.json and onsets.json and returns the summary', async () => {
    const { signal } = clickTrack({ bpm: 96, seconds: 16, beatsPerBar: 3, subdivide: 2, offset: 0.2 });
    const { ctx, progress } = context(stereo(signal));
    const out = await createBeatsStage()(ctx);
    expect(out.status).toBe('completed');
    expect(out.engine?.name).toBe('beat-dsp');
    expect(out.outputs).toEqual({
      analysis: 'beat_analysis/analysis.json',
      beats: 'beat_analysis/beats.json',
      onsets: 'beat_analysis/onsets.json',
    });
    expect(out.summary?.time_signature).toBe('3/4');
    expect(Math.abs(Number(out.summary?.tempo_bpm) - 96)).toBeLessThan(1);
    for (const k of ['beat_count', 'beat_confidence', 'rhythm_regularity'])
      expect(typeof out.summary?.[k]).toBe('number');
    expect(progress[progress.length - 1]).toBe(100);
    // A metronome-steady click track: steady tempo, a curve of bar-wise points at ~96 BPM.
    expect(out.summary?.tempo_steady).toBe(true);
    const curve = out.summary?.tempo_curve as { time: number; bpm: number }[];
    expect(curve.length).toBeGreaterThan(2);
    for (const p of curve) expect(Math.abs(p.bpm - 96)).toBeLessThan(2);

    const read = (f: string) => JSON.parse(fs.readFileSync(path.join(ctx.paths.dir, f), 'utf8'));
    const analysis = read(out.outputs.analysis);
    for (const k of [
      'tempo_bpm',
      'tempo_candidates',
      'tempo_curve',
      'tempo_steady',
      'time_signature',
      'beats_per_bar',
      'beat_confidence',
      'meter_confidence',
      'rhythm_regularity',
      'beat_count',
      'downbeats',
      'duration',
      'key',
    ]) {
      expect(analysis).toHaveProperty(k);
    }
    const beats = read(out.outputs.beats);
    expect(beats.beats.length).toBe(analysis.beat_count);
    expect(beats.beats[0]).toEqual({ time: expect.any(Number), position: expect.any(Number) });
    expect(beats.beats.filter((b: { position: number }) => b.position === 1).length).toBe(
      analysis.downbeats.length,
    );
    expect(read(out.outputs.onsets).onsets.length).toBeGreaterThan(20);
    // No temp files left behind.
    expect(fs.readdirSync(ctx.paths.stageDir('beats')).sort()).toEqual([
      'analysis.json',
      'beats.json',
      'onsets.json',
    ]);
  });

  it('completes on silence with a warning and no beats', async () => {
    const { ctx } = context(stereo(new Float32Array(SR * 2)));
    const out = await createBeatsStage()(ctx);
    expect(out.status).toBe('completed');
    expect(out.summary?.beat_count).toBe(0);
    expect(out.warnings?.join(' ')).toMatch(/no steady pulse/);
  });

  it('throws CancelledError when the job is cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const { ctx } = context(stereo(new Float32Array(SR)), ac.signal);
    await expect(createBeatsStage()(ctx)).rejects.toBeInstanceOf(CancelledError);
  });
});
