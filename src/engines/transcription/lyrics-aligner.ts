import { computeVocalFeatures, type VocalFeatures } from '../../audio/lyrics/features.js';
import { toMono, type PcmAudio } from '../../audio/pcm.js';
import { voiceActivityFromEnergy, type VoiceActivity } from '../../audio/vad.js';
import { alignWords } from './aligner.js';
import { parseLyrics } from './lyrics-text.js';
import { buildLines, enforceMonotonic, type TimedWord, type Transcript } from './timeline.js';

/** Features and voice activity of a vocals stem: computed once, shared by aligner, guard and QA. */
export interface VocalAnalysis {
  features: VocalFeatures;
  activity: VoiceActivity;
  duration: number;
}

export function analyzeVocals(vocals: PcmAudio): VocalAnalysis {
  const mono = toMono(vocals);
  const features = computeVocalFeatures(mono, vocals.sampleRate);
  const activity = voiceActivityFromEnergy(features.energyDb, features.hopS);
  return { features, activity, duration: mono.length / vocals.sampleRate };
}

export interface AlignLyricsOptions {
  /** Per lyric token, a start time recognised by ASR (undefined = no anchor). */
  anchors?: readonly (number | undefined)[];
  language?: string | null;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * Aligns given lyrics to a vocals stem without any model. With no vocal activity at all
 * nothing can be placed and the transcript is empty (no invented timings).
 */
export function alignLyrics(
  analysis: VocalAnalysis,
  lyrics: string,
  opts: AlignLyricsOptions = {},
): Transcript {
  const { lines, tokens } = parseLyrics(lyrics);
  const source = opts.anchors?.some((a) => a !== undefined) ? 'aligned+asr' : 'aligned';
  const language = opts.language ?? null;
  if (tokens.length === 0 || !analysis.activity.hasVoice) {
    return { language, source, words: [], lines: [] };
  }
  const placements = alignWords(
    tokens.map((t, i) => ({
      syllables: t.syllables,
      anchor: opts.anchors?.[i],
      lineStart: i === 0 || tokens[i - 1].line !== t.line,
    })),
    analysis.features,
    analysis.activity,
    { signal: opts.signal, onProgress: opts.onProgress },
  );
  const words: TimedWord[] = tokens.map((t, i) => {
    const p = placements[i];
    const flags: TimedWord['flags'] = [];
    if (!p.placed) flags.push('unplaced');
    if (opts.anchors?.[i] !== undefined) flags.push('asr_match');
    return {
      word: t.text,
      start: p.start,
      end: p.end,
      confidence: p.placed ? p.confidence : 0,
      line: t.line,
      flags,
    };
  });
  enforceMonotonic(words);
  return { language, source, words, lines: buildLines(words, lines) };
}
