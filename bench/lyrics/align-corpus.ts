/**
 * Known-lyrics alignment on an evaluation corpus: for every song, align truth.json's
 * lyrics to a vocals stem (the true stem, or separated vocals from a cache directory)
 * and write <out>/<song>/transcription.json in the scorer's layout. Prints a quick
 * per-song word-start error (the official numbers come from score_project.sh).
 *
 *   npx tsx bench/lyrics/align-corpus.ts --corpus DIR --out DIR [--vocals true|DIR] [--songs a,b]
 *                                        [--method dp|uniform] [--beats] [--verbose]
 * With --vocals DIR the stem is DIR/<song>/vocals.wav. `dp` is the product's path: the
 * transcription engine's `transcribe` (no recogniser: lyrics aligned without a model), with
 * `--beats` given the beats that the product's beat engine finds on mixture.wav (as when the
 * beats stage runs). Every word's confidence and error go to <out>/words.jsonl (for the
 * calibration table). `--method uniform` is the naive peer:
 * the same voice activity, words spread over the voiced time in proportion to their length
 * (what a player does with unsynced lyrics and a VAD), no dynamic programming.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';
import { analyzeVocals } from '../../src/engines/transcription/analysis.js';
import { transcribe } from '../../src/engines/transcription/index.js';
import { applyQaFlags, timingQa } from '../../src/engines/transcription/qa.js';
import { UnavailableError } from '../../src/errors.js';
import { normalizeWord, parseLyrics } from '../../src/engines/transcription/lyrics-text.js';
import {
  buildLines,
  enforceMonotonic,
  type TimedWord,
  type Transcript,
} from '../../src/engines/transcription/timeline.js';
import type { VocalAnalysis } from '../../src/engines/transcription/types.js';
import { renderTranscriptionJson } from '../../src/engines/transcription/transcript-json.js';
import { arg } from '../cli-args.js';

interface TruthWord {
  word: string;
  start: number;
  end: number;
}

const corpus = arg('corpus');
const out = arg('out');
const vocals = arg('vocals', 'true');
const only = arg('songs', '');
const verbose = process.argv.includes('--verbose');
const method = arg('method', 'dp');
const withBeats = process.argv.includes('--beats');
const offline = {
  get: () => Promise.reject(new UnavailableError('benchmark: no recogniser')),
};
fs.mkdirSync(out, { recursive: true });
const wordsLog = fs.openSync(path.join(out, 'words.jsonl'), 'w');
const songs = fs
  .readdirSync(corpus)
  .filter((s) => fs.existsSync(path.join(corpus, s, 'truth.json')))
  .filter((s) => only === '' || only.split(',').includes(s))
  .sort();

let allErr: number[] = [];
for (const song of songs) {
  const truth = JSON.parse(fs.readFileSync(path.join(corpus, song, 'truth.json'), 'utf8')) as {
    lyrics: string;
    words: TruthWord[];
  };
  const wav =
    vocals === 'true'
      ? path.join(corpus, song, 'stems', 'vocals.wav')
      : path.join(vocals, song, 'vocals.wav');
  if (!fs.existsSync(wav)) {
    console.log(`${song}: no vocals at ${wav}, skipped`);
    continue;
  }
  const audio = decodeWav(fs.readFileSync(wav));
  const beats = withBeats ? songBeats(song) : undefined;
  const t0 = performance.now();
  let tr: Transcript;
  let analysis: VocalAnalysis;
  if (method === 'uniform') {
    analysis = analyzeVocals(audio, { pitch: false });
    tr = uniformSpread(analysis, truth.lyrics);
  } else {
    const r = await transcribe(audio, { lyrics: truth.lyrics, model: 'none', recognizer: offline, beats });
    if (r.status !== 'completed') throw new Error(r.reason);
    tr = r.transcript;
    analysis = r.analysis;
  }
  const ms = performance.now() - t0;
  applyQaFlags(tr, analysis);
  const qa = timingQa(tr, analysis);
  fs.mkdirSync(path.join(out, song), { recursive: true });
  fs.writeFileSync(path.join(out, song, 'transcription.json'), renderTranscriptionJson(tr, analysis));
  const errs: number[] = [];
  const signed: number[] = [];
  if (tr.words.length === truth.words.length) {
    tr.words.forEach((w, i) => {
      if (normalizeWord(w.word) !== normalizeWord(truth.words[i].word)) return;
      errs.push(Math.abs(w.start - truth.words[i].start) * 1000);
      const line = tr.lines.find((l) => i >= l.firstWord && i < l.firstWord + l.wordCount);
      fs.writeSync(
        wordsLog,
        `${JSON.stringify({ song, i, conf: w.confidence, err_ms: errs[errs.length - 1], line_low: line?.lowConfidence === true })}\n`,
      );
      signed.push((w.start - truth.words[i].start) * 1000);
      if (verbose && Math.abs(w.start - truth.words[i].start) > 0.15) {
        const tw = truth.words[i];
        console.log(
          `  ${i} ${w.word}: got ${w.start.toFixed(2)}–${w.end.toFixed(2)} truth ${tw.start.toFixed(2)}–${tw.end.toFixed(2)} conf ${w.confidence}`,
        );
      }
    });
  }
  allErr = allErr.concat(errs);
  const mae = errs.reduce((a, b) => a + b, 0) / Math.max(1, errs.length);
  const bias = signed.reduce((a, b) => a + b, 0) / Math.max(1, signed.length);
  const within = errs.filter((e) => e <= 300).length / Math.max(1, truth.words.length);
  console.log(
    `${song.padEnd(24)} words ${String(tr.words.length).padStart(4)}/${truth.words.length}  mae ${mae.toFixed(1).padStart(6)} ms  bias ${bias.toFixed(1).padStart(6)} ms  ≤300ms ${(100 * within).toFixed(1)}%  max ${Math.max(0, ...errs).toFixed(0)} ms  QA ${qa.score}  ${analysis.style} held ${analysis.heldShare?.toFixed(2) ?? '-'}  (${ms.toFixed(0)} ms)`,
  );
}
const mae = allErr.reduce((a, b) => a + b, 0) / Math.max(1, allErr.length);
console.log(
  `all words: mae ${mae.toFixed(1)} ms, ≤300ms ${((100 * allErr.filter((e) => e <= 300).length) / Math.max(1, allErr.length)).toFixed(1)}%`,
);

/** Beats of the song's mixture by the product's beat engine (what the beats stage would give). */
function songBeats(song: string): number[] {
  const mix = decodeWav(fs.readFileSync(path.join(corpus, song, 'mixture.wav')));
  return Array.from(analyzeBeats(mix.channels, mix.sampleRate).beats);
}

/** The naive peer: words spread over the voiced frames in proportion to (1 + syllables). */
function uniformSpread(analysis: VocalAnalysis, lyrics: string): Transcript {
  const { lines, tokens } = parseLyrics(lyrics);
  const { prob, hopS } = analysis.activity;
  const cum = new Float64Array(prob.length + 1);
  for (let t = 0; t < prob.length; t++) cum[t + 1] = cum[t] + (prob[t] >= 0.5 ? 1 : 0);
  const total = cum[prob.length];
  const units = tokens.map((t) => 1 + t.syllables);
  const sum = units.reduce((a, b) => a + b, 0);
  const timeAt = (target: number) => {
    let lo = 0;
    let hi = prob.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid + 1] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo * hopS;
  };
  let acc = 0;
  const words: TimedWord[] = tokens.map((t, i) => {
    const start = timeAt((acc / sum) * total + 1e-9);
    acc += units[i];
    const end = timeAt((acc / sum) * total);
    return { word: t.text, start, end, confidence: 0, line: t.line, flags: [] };
  });
  enforceMonotonic(words);
  return { language: null, source: 'aligned', words, lines: buildLines(words, lines) };
}
