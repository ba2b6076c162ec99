import { describe, expect, it } from 'vitest';
import {
  asrWindows,
  recognizeVoiced,
  transcriptFromRecognition,
} from '../../../src/engines/transcription/asr.js';
import { analyzeVocals } from '../../../src/engines/transcription/analysis.js';
import type { Recognizer, RecognizeOptions } from '../../../src/engines/transcription/recognizer.js';
import { WHISPER_CHUNK_S } from '../../../src/engines/transcription/whisper.js';
import { toMono } from '../../../src/audio/pcm.js';
import { resample } from '../../../src/audio/resample.js';
import { SAMPLE_LYRICS, synthVocals } from './synth-vocals.js';

describe('VAD-gated recognition windows', () => {
  it('skips silence and never exceeds the 29 s chunk', () => {
    const w = asrWindows(
      [
        { start: 2, end: 10 },
        { start: 11, end: 20 },
        { start: 60, end: 130 },
      ],
      200,
    );
    for (const x of w) expect(x.end - x.start).toBeLessThanOrEqual(WHISPER_CHUNK_S + 1e-9);
    expect(w[0].start).toBeCloseTo(1.7);
    expect(w[0].end).toBeCloseTo(20.3); // close segments share a window
    // Nothing of the 20–60 s silence is sent to the recogniser.
    expect(w.every((x) => x.end <= 20.3 || x.start >= 59.7)).toBe(true);
    const covered = w.filter((x) => x.start >= 59).reduce((s, x) => s + x.end - x.start, 0);
    expect(covered).toBeCloseTo(70.6, 5);
  });

  it('shifts the recogniser word times back to song time', async () => {
    const { audio, words } = synthVocals(SAMPLE_LYRICS, { seed: 1 });
    const analysis = analyzeVocals(audio);
    const mono = resample(toMono(audio), audio.sampleRate, 16000);
    const calls: number[] = [];
    const fake: Recognizer = {
      info: { name: 'fake', version: '0', quality: 'model' },
      recognize: (a: Float32Array, o: RecognizeOptions) => {
        calls.push(a.length / 16000);
        expect(o.language).toBe('en');
        // Reports one word 0.5 s into whatever window it is given.
        return Promise.resolve({ language: 'en', words: [{ word: 'x', start: 0.5, end: 0.8 }] });
      },
    };
    const r = await recognizeVoiced(fake, mono, analysis, { language: 'en' });
    expect(calls.length).toBeGreaterThan(0);
    const windows = asrWindows(analysis.activity.segments, mono.length / 16000);
    expect(r.words.map((w) => w.start)).toEqual(windows.map((w) => w.start + 0.5));
    expect(r.words[0].start).toBeLessThan(words[0].start + 0.5);
  });

  it('splits transcribed words into lines at pauses and sentence ends', () => {
    const t = transcriptFromRecognition(
      [
        { word: ' hello', start: 1, end: 1.4 },
        { word: 'world.', start: 1.5, end: 2 },
        { word: 'again', start: 2.1, end: 2.5 },
        { word: 'later', start: 5, end: 5.5 },
      ],
      'en',
    );
    expect(t.lines.map((l) => l.text)).toEqual(['hello world.', 'again', 'later']);
    expect(t.source).toBe('transcribed');
  });
});
