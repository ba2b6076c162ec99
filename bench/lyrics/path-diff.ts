/**
 * Why the sung aligner chose its path: the programme's score of the chosen syllable spans and
 * of the true ones (truth.json `notes`), term by term, for the words where they differ. A
 * development tool (never run on the held-out set while tuning).
 *
 *   npx tsx bench/lyrics/path-diff.ts --corpus DIR --song NAME [--vocals true|DIR] [--from S --to S]
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';
import { analyzeVocals } from '../../src/engines/transcription/analysis.js';
import { parseLyrics } from '../../src/engines/transcription/lyrics-text.js';
import { sungWords } from '../../src/engines/transcription/lyrics-aligner.js';
import { alignSung, type SungDiagnostics } from '../../src/engines/transcription/sung-aligner.js';
import { arg } from '../cli-args.js';

const corpus = arg('corpus');
const song = arg('song');
const vocals = arg('vocals', 'true');
const from = Number(arg('from', '0'));
const to = Number(arg('to', '1e9'));
const truth = JSON.parse(fs.readFileSync(path.join(corpus, song, 'truth.json'), 'utf8')) as {
  lyrics: string;
  words: { word: string; start: number; end: number }[];
  notes: { syllable: number; start: number; end: number; midi: number }[];
};
const wav =
  vocals === 'true' ? path.join(corpus, song, 'stems', 'vocals.wav') : path.join(vocals, song, 'vocals.wav');
const mix = decodeWav(fs.readFileSync(path.join(corpus, song, 'mixture.wav')));
const beats = Array.from(analyzeBeats(mix.channels, mix.sampleRate).beats);
const an = analyzeVocals(decodeWav(fs.readFileSync(wav)));
const { tokens } = parseLyrics(truth.lyrics);
let diag: SungDiagnostics | undefined;
const placed = alignSung(sungWords(tokens), an.features, an.activity, an.cues!, {
  beats,
  diagnose: (d) => (diag = d),
});
const d = diag!;
const hop = d.frames.hop;
// True syllable spans from the planned notes.
const ts: number[] = [];
const te: number[] = [];
const midi: number[] = [];
tokens.forEach((tk, i) => {
  const w = truth.words[i];
  const ns = truth.notes.filter((n) => n.start >= w.start - 0.01 && n.start < w.end - 0.01);
  for (let k = 0; k < tk.syllables; k++) {
    const m = ns.filter((n) => n.syllable === k);
    const s = k === 0 ? w.start : m[0].start;
    const e = k === tk.syllables - 1 ? w.end : m[m.length - 1].end;
    ts.push(Math.round(s / hop));
    te.push(Math.max(Math.round(s / hop) + d.frames.dMin, Math.round(e / hop)));
    midi.push(m[0]?.midi ?? 0);
  }
});
const mine = d.score(d.chosen.sylStart, d.chosen.sylEnd);
const theirs = d.score(ts, te);
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const totals: Record<string, number> = {};
let j = 0;
console.log(`secPerSyl ${d.secPerSyl.toFixed(3)} hop ${hop}`);
tokens.forEach((tk, i) => {
  const rows: string[] = [];
  for (let k = 0; k < tk.syllables; k++, j++) {
    const tt = ts[j] * hop;
    if (tt < from || tt > to) continue;
    const a = mine[j];
    const b = theirs[j];
    for (const key of Object.keys(a)) totals[key] = (totals[key] ?? 0) + a[key] - b[key];
    const diffs = Object.keys(a)
      .filter((key) => Math.abs(a[key] - b[key]) > 0.05)
      .map((key) => `${key} ${(a[key] - b[key]).toFixed(2)}`)
      .join(', ');
    rows.push(
      `   syl ${k} midi ${midi[j]} got ${(d.chosen.sylStart[j] * hop).toFixed(2)}–${(d.chosen.sylEnd[j] * hop).toFixed(2)} true ${tt.toFixed(2)}–${(te[j] * hop).toFixed(2)}  Δscore ${(sum(a) - sum(b)).toFixed(2)}  ${diffs}`,
    );
  }
  if (rows.length === 0) return;
  const err = placed[i].start - truth.words[i].start;
  console.log(
    `${i} ${tk.text} err ${(err * 1000).toFixed(0)} ms conf ${placed[i].confidence} margin ${placed[i].evidence.margin.toFixed(1)}`,
  );
  for (const r of rows) console.log(r);
});
console.log(
  'chosen − true, by term:',
  Object.entries(totals)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', '),
);
if (process.argv.includes('--frames')) {
  const f = d.frames;
  for (let t = Math.max(0, Math.round(from / hop)); t < Math.min(f.T, Math.round(to / hop)); t++) {
    const j1 = ts.findIndex((s) => s === t);
    const j2 = Array.from(d.chosen.sylStart).findIndex((s) => s === t);
    console.log(
      `${(t * hop).toFixed(2)} act ${f.act[t].toFixed(1).padStart(5)} bnd ${f.bnd[t].toFixed(2)} wb ${f.wb[t].toFixed(2)} pk ${f.pk[t].toFixed(2)} off ${f.off[t].toFixed(2)} beat ${f.beat[t].toFixed(2)} ${j1 >= 0 ? `TRUE syl ${j1} midi ${midi[j1]}` : ''} ${j2 >= 0 ? `GOT syl ${j2}` : ''}`,
    );
  }
}
