import type { StageContext, StageHandler, StageOutcome } from '../domain/stage.js';
import { throwIfAborted } from '../errors.js';
import { analyzeBeats, BEAT_ENGINE } from '../engines/beats/beat-dsp.js';
import type { BeatAnalysis } from '../engines/beats/types.js';
import { estimateKey, type KeyEstimate } from '../audio/key/key.js';
import fs from 'node:fs/promises';
import { toMono, type PcmAudio } from '../audio/pcm.js';
import { decodeWav } from '../audio/wav.js';
import { readableStem } from '../storage/stems.js';

/** Times in the JSON files are rounded to the millisecond, scores to 1/1000. */
const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const SHORT_SECONDS = 3;
/** Below this beat confidence the beats are often wrong (BENCHMARKS.md: held out, mean beat F 0.67 below vs 0.97 above). */
const LOW_CONFIDENCE = 0.5;
/** The job summary carries the tempo curve thinned to at most this many points (analysis.json has all). */
const SUMMARY_CURVE_POINTS = 32;

/**
 * The beat-analysis stage: decoded mixture → beat-dsp engine (+ the key from the mixture's
 * chroma) → beat_analysis/{analysis,beats,onsets}.json.
 * With `beatsSource: 'drums'` (the pipeline then runs it after separation) the rhythm is tracked
 * on the separated rhythm section: the drums stem plus the bass stem (the drums alone lose the
 * level and the downbeats: BENCHMARKS.md); when there is no drums stem (separation failed or
 * was unavailable) on the mixture, with a warning. Pure DSP, no model: it is never unavailable.
 */
export function createBeatsStage(): StageHandler {
  return async (ctx: StageContext): Promise<StageOutcome> => {
    ctx.progress(0, 'decoding');
    const mix = await ctx.loadMix();
    throwIfAborted(ctx.signal);
    const warnings: string[] = [];
    let source: 'mix' | 'drums' = 'mix';
    let track: PcmAudio = mix;
    if (ctx.options.beatsSource === 'drums') {
      // readableStem: the WAV stem, or its 16-bit copy when the stems are FLAC/MP3/Opus.
      const [drumsFile, bassFile] = await Promise.all([
        readableStem(ctx.paths, 'drums'),
        readableStem(ctx.paths, 'bass'),
      ]);
      const drums = drumsFile && (await readStem(drumsFile));
      const bass = drums && bassFile && (await readStem(bassFile));
      if (drums) [track, source] = [bass ? sum(drums, bass) : drums, 'drums'];
      else warnings.push('beats_source=drums, but there is no drums stem: beats were tracked on the mixture');
    }
    ctx.progress(20, `analysing rhythm (${source})`);
    const a = analyzeBeats(track.channels, track.sampleRate, {
      checkAbort: () => throwIfAborted(ctx.signal),
    });
    throwIfAborted(ctx.signal);
    ctx.progress(70, 'estimating the key');
    const key = estimateKey(toMono(mix), mix.sampleRate);
    throwIfAborted(ctx.signal);
    ctx.progress(80, 'writing results');

    const files = {
      analysis: ctx.paths.beats('analysis.json'),
      beats: ctx.paths.beats('beats.json'),
      onsets: ctx.paths.beats('onsets.json'),
    };
    await ctx.write(files.analysis, json({ ...analysisJson(a, key), source }));
    await ctx.write(files.beats, json(beatsJson(a)));
    await ctx.write(files.onsets, json({ onsets: Array.from(a.onsets, round3) }));
    ctx.progress(100);

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
        beats_source: source,
        meter_confidence: round3(a.meterConfidence),
        rhythm_regularity: round3(a.rhythmRegularity),
        tempo_steady: a.tempoSteady,
        tempo_curve: thin(a.tempoCurve, SUMMARY_CURVE_POINTS).map((p) => ({ time: p.time, bpm: p.bpm })),
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
    tempo_steady: a.tempoSteady,
    tempo_curve: a.tempoCurve,
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
    compound: a.compound,
    beats: Array.from(a.beats, (t, i) => ({ time: round3(t), position: a.beatPositions[i] })),
    downbeats: Array.from(a.downbeats, round3),
  };
}

/** Sample-wise sum of two stems (the shorter one padded with silence). */
function sum(a: PcmAudio, b: PcmAudio): PcmAudio {
  if (a.sampleRate !== b.sampleRate) return a;
  const channels = a.channels.map((x, ch) => {
    const y = b.channels[ch] ?? b.channels[0];
    const out = new Float32Array(Math.max(x.length, y.length));
    for (let i = 0; i < out.length; i++) out[i] = (x[i] ?? 0) + (y[i] ?? 0);
    return out;
  });
  return { sampleRate: a.sampleRate, channels };
}

/** A separated stem, or undefined when it is missing or unreadable. */
async function readStem(file: string): Promise<PcmAudio | undefined> {
  const buf = await fs.readFile(file).catch(() => undefined);
  if (!buf) return undefined;
  try {
    return decodeWav(buf);
  } catch {
    return undefined;
  }
}

/** At most `max` points of `curve`, evenly spaced, first and last kept. */
function thin<T>(curve: T[], max: number): T[] {
  if (curve.length <= max) return curve;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(curve[Math.round((i * (curve.length - 1)) / (max - 1))]);
  return out;
}

function json(body: unknown): string {
  return JSON.stringify(body, null, 1);
}
