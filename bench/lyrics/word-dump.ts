/**
 * Per-word diagnostics of the sung aligner on a corpus (for fitting and checking the word
 * confidence): every word's signed start error against truth.json, its confidence and the
 * evidence behind it, one JSON line per word.
 *
 *   npx tsx bench/lyrics/word-dump.ts --corpus DIR --vocals true|DIR --out FILE.jsonl [--songs a,b]
 * With --vocals DIR the stem is DIR/<song>/vocals.wav. Beats come from the product's beat
 * engine on mixture.wav, as in align-corpus.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';
import { analyzeVocals } from '../../src/engines/transcription/analysis.js';
import { alignLyrics, sungWords } from '../../src/engines/transcription/lyrics-aligner.js';
import { normalizeWord, parseLyrics } from '../../src/engines/transcription/lyrics-text.js';
import { alignSung } from '../../src/engines/transcription/sung-aligner.js';
import { arg } from '../cli-args.js';

const corpus = arg('corpus');
const vocals = arg('vocals', 'true');
const outFile = arg('out');
const only = arg('songs', '');
const out = fs.openSync(outFile, 'w');
const songs = fs
  .readdirSync(corpus)
  .filter((s) => fs.existsSync(path.join(corpus, s, 'truth.json')))
  .filter((s) => only === '' || only.split(',').includes(s))
  .sort();
for (const song of songs) {
  const truth = JSON.parse(fs.readFileSync(path.join(corpus, song, 'truth.json'), 'utf8')) as {
    lyrics: string;
    words: { word: string; start: number; end: number }[];
  };
  const wav =
    vocals === 'true'
      ? path.join(corpus, song, 'stems', 'vocals.wav')
      : path.join(vocals, song, 'vocals.wav');
  if (!fs.existsSync(wav)) continue;
  const mix = decodeWav(fs.readFileSync(path.join(corpus, song, 'mixture.wav')));
  const beats = Array.from(analyzeBeats(mix.channels, mix.sampleRate).beats);
  const analysis = analyzeVocals(decodeWav(fs.readFileSync(wav)));
  if (analysis.style !== 'sung' || !analysis.cues) {
    console.log(song, 'not sung, skipped');
    continue;
  }
  const ws = alignLyrics(analysis, truth.lyrics, { beats }).words;
  const { tokens } = parseLyrics(truth.lyrics);
  const ev = alignSung(sungWords(tokens), analysis.features, analysis.activity, analysis.cues, { beats });
  if (ws.length !== truth.words.length) continue;
  ws.forEach((w, i) => {
    const tw = truth.words[i];
    if (normalizeWord(w.word) !== normalizeWord(tw.word)) return;
    fs.writeSync(
      out,
      `${JSON.stringify({
        song,
        i,
        word: w.word,
        start: w.start,
        end: w.end,
        tstart: tw.start,
        tend: tw.end,
        err_ms: Math.round((w.start - tw.start) * 1000),
        conf: w.confidence,
        syl: tokens[i].syllables,
        line_start: i === 0 || tokens[i - 1].line !== tokens[i].line,
        ...ev[i].evidence,
      })}\n`,
    );
  });
  console.log(song, 'done');
}
