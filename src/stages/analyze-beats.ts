import fs from 'node:fs/promises';
import path from 'node:path';
import type { StageContext, StageHandler, StageOutcome } from '../domain/stage.js';
import { throwIfAborted } from '../errors.js';
import { analyzeBeats, BEAT_ENGINE } from '../engines/beats/beat-dsp.js';
import type { BeatAnalysis } from '../engines/beats/types.js';
import { estimateKey, type KeyEstimate } from '../audio/key/key.js';
import { toMono } from '../audio/pcm.js';

/** Times in the JSON files are rounded to the millisecond, scores to 1/1000. */
const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const SHORT_SECONDS = 3;
const LOW_CONFIDENCE = 0.3;

/**
 * The beat-analysis stage: decoded mixture → beat-dsp engine (+ the key from the mixture's
 * chroma) → beat_analysis/{analysis,beats,onsets}.json.
 * Pure DSP, no model: it is never unavailable.
 */
export function createBeatsStage(): StageHandler {
  return async (ctx: StageContext): Promise<StageOutcome> => {
    ctx.progress(0, 'decoding');
    const mix = await ctx.loadMix();
    throwIfAborted(ctx.signal);
    ctx.progress(20, 'analysing rhythm');
    const a = analyzeBeats(mix.channels, mix.sampleRate, { checkAbort: () => throwIfAborted(ctx.signal) });
    throwIfAborted(ctx.signal);
    ctx.progress(70, 'estimating the key');
    const key = estimateKey(toMono(mix), mix.sampleRate);
    throwIfAborted(ctx.signal);
    ctx.progress(80, 'writing results');

    const dir = ctx.paths.stageDir('beats');
    await fs.mkdir(dir, { recursive: true });
    const files = {
      analysis: ctx.paths.beats('analysis.json'),
      beats: ctx.paths.beats('beats.json'),
      onsets: ctx.paths.beats('onsets.json'),
    };
    await writeJson(files.analysis, analysisJson(a, key));
    await writeJson(files.beats, beatsJson(a));
    await writeJson(files.onsets, { onsets: Array.from(a.onsets, round3) });
    ctx.progress(100);

    const warnings: string[] = [];
    if (a.duration < SHORT_SECONDS)
      warnings.push(`audio is only ${a.duration.toFixed(1)} s long: rhythm analysis is unreliable`);
    if (a.beats.length === 0) warnings.push('no steady pulse found: no beats reported');
    else if (a.beatConfidence < LOW_CONFIDENCE)
      warnings.push(`low beat confidence (${a.beatConfidence.toFixed(2)})`);
    return {
      status: 'completed',
      engine: BEAT_ENGINE,
      outputs: {
        analysis: ctx.paths.rel(files.analysis),
        beats: ctx.paths.rel(files.beats),
        onsets: ctx.paths.rel(files.onsets),
      },
      summary: {
        tempo_bpm: round3(a.tempoBpm),
        beat_count: a.beats.length,
        time_signature: a.timeSignature,
        beats_per_bar: a.beatsPerBar,
        beat_confidence: round3(a.beatConfidence),
        meter_confidence: round3(a.meterConfidence),
        rhythm_regularity: round3(a.rhythmRegularity),
        key: key?.name ?? null,
        key_confidence: key ? key.confidence : null,
      },
      warnings,
    };
  };
}

/** The body of beat_analysis/analysis.json (see docs/beats.md). */
export function analysisJson(a: BeatAnalysis, key?: KeyEstimate): Record<string, unknown> {
  return {
    tempo_bpm: round3(a.tempoBpm),
    tempo_candidates: a.tempoCandidates.map((c) => ({ bpm: c.bpm, score: round3(c.score) })),
    tempo_confidence: round3(a.tempoConfidence),
    time_signature: a.timeSignature,
    beats_per_bar: a.beatsPerBar,
    compound: a.compound,
    beat_confidence: round3(a.beatConfidence),
    meter_confidence: round3(a.meterConfidence),
    rhythm_regularity: round3(a.rhythmRegularity),
    beat_count: a.beats.length,
    downbeats: Array.from(a.downbeats, round3),
    duration: round3(a.duration),
    key: key ? { tonic: key.tonic, mode: key.mode, name: key.name, confidence: key.confidence } : null,
    engine: { name: BEAT_ENGINE.name, version: BEAT_ENGINE.version },
  };
}

/** The body of beat_analysis/beats.json: every beat with its position in the bar. */
export function beatsJson(a: BeatAnalysis): Record<string, unknown> {
  return {
    tempo_bpm: round3(a.tempoBpm),
    time_signature: a.timeSignature,
    beats: Array.from(a.beats, (t, i) => ({ time: round3(t), position: a.beatPositions[i] })),
    downbeats: Array.from(a.downbeats, round3),
  };
}

async function writeJson(file: string, body: unknown): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(body, null, 1));
  await fs.rename(tmp, file);
}
