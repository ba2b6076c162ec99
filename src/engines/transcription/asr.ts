import type { ActivitySegment } from '../../audio/vad.js';
import { throwIfAborted } from '../../errors.js';
import type { VocalAnalysis } from './types.js';
import type { Recognition, RecognizedWord, Recognizer } from './recognizer.js';
import { buildLines, enforceMonotonic, type TimedWord, type Transcript } from './timeline.js';
import { WHISPER_CHUNK_S } from './whisper.js';

/**
 * Runs a recogniser on the voiced parts of the vocals only: silent stretches are skipped
 * (Whisper invents words over silence and music), voiced segments are packed into windows
 * of at most WHISPER_CHUNK_S and word times are shifted back to song time.
 */
const SAMPLE_RATE = 16000;
const PAD_S = 0.3; // context around each voiced segment, so word edges are not clipped
const MAX_JOIN_GAP_S = 4; // segments closer than this share a window

export interface AsrWindow {
  start: number;
  end: number;
}

export function asrWindows(
  segments: readonly ActivitySegment[],
  duration: number,
  chunkS = WHISPER_CHUNK_S,
): AsrWindow[] {
  const out: AsrWindow[] = [];
  for (const seg of segments) {
    let s = Math.max(0, seg.start - PAD_S);
    const e = Math.min(duration, seg.end + PAD_S);
    const last = out[out.length - 1];
    if (last && s - last.end < MAX_JOIN_GAP_S && e - last.start <= chunkS) {
      last.end = e;
      continue;
    }
    if (last && s < last.end) s = last.end;
    // A voiced stretch longer than a window is cut into consecutive windows.
    while (e - s > chunkS) {
      out.push({ start: s, end: s + chunkS });
      s += chunkS;
    }
    if (e > s) out.push({ start: s, end: e });
  }
  return out;
}

export async function recognizeVoiced(
  recognizer: Recognizer,
  mono16k: Float32Array,
  analysis: VocalAnalysis,
  opts: { language?: string; signal?: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<Recognition> {
  const windows = asrWindows(analysis.activity.segments, mono16k.length / SAMPLE_RATE);
  const words: RecognizedWord[] = [];
  let language: string | null = opts.language ?? null;
  for (let i = 0; i < windows.length; i++) {
    throwIfAborted(opts.signal);
    const w = windows[i];
    const a = Math.floor(w.start * SAMPLE_RATE);
    const b = Math.min(mono16k.length, Math.ceil(w.end * SAMPLE_RATE));
    const r = await recognizer.recognize(mono16k.subarray(a, b), {
      language: language ?? undefined,
      signal: opts.signal,
    });
    // The first window's language is kept for the others, so one song gets one language.
    language ??= r.language;
    for (const rw of r.words) {
      const start = w.start + Math.max(0, rw.start);
      const end = w.start + Math.max(rw.start, rw.end);
      if (start >= w.end) continue;
      words.push({ ...rw, start, end: Math.min(end, w.end) });
    }
    opts.onProgress?.((i + 1) / windows.length);
  }
  return { language, words };
}

const LINE_PAUSE_S = 0.7; // a pause this long in the singing starts a new lyric line
const MAX_LINE_WORDS = 12;
const SENTENCE_END = /[.!?…]$/;

/** Recognised words (already guarded) → the canonical timeline, lines split at pauses. */
export function transcriptFromRecognition(
  words: readonly RecognizedWord[],
  language: string | null,
): Transcript {
  const timed: TimedWord[] = [];
  let line = 0;
  let inLine = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const prev = words[i - 1];
    if (
      prev &&
      (w.start - prev.end > LINE_PAUSE_S || SENTENCE_END.test(prev.word.trim()) || inLine >= MAX_LINE_WORDS)
    ) {
      line++;
      inLine = 0;
    }
    inLine++;
    timed.push({
      word: w.word.trim(),
      start: w.start,
      end: w.end,
      confidence: Math.round(Math.min(1, Math.max(0, w.confidence ?? 1)) * 1000) / 1000,
      line,
      flags: [],
    });
  }
  enforceMonotonic(timed);
  return { language, source: 'transcribed', words: timed, lines: buildLines(timed) };
}
