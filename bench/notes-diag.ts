/**
 * One word's frames from bench/notes-cache.ts's cache: npx tsx bench/notes-diag.ts <cache-dir> <song> <word|time> [--words truth|alignerBeats] [--tree DIR]
 * Per frame: time, raw MIDI, level dB, spectral rise, grid (E = eighth, s = 16th), true note starts (T), reported (R).
 */
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const [cacheDir, song, which] = args;
const tree = path.resolve(opt('--tree', path.join(import.meta.dirname, '..')));
const wordsFrom = opt('--words', 'truth');
const { transcribeNotes, gridPoints, gridDivisions } = await import(
  path.join(tree, 'src/engines/notes/transcribe-notes.ts')
);
const { loadPronunciations } = await import(path.join(tree, 'src/engines/notes/syllables.ts'));
const dict = await loadPronunciations();
const c = JSON.parse(fs.readFileSync(path.join(cacheDir, `${song}.json`), 'utf8'));
const track = { hop: c.hop, f0: Float32Array.from(c.f0), voicing: Float32Array.from(c.voicing) };
const cues = { levelDb: Float32Array.from(c.levelDb), rise: Float32Array.from(c.rise) };
const words = wordsFrom === 'truth' ? c.truth.words : c[wordsFrom];
const notes = transcribeNotes(track, words, dict, c.beats, cues);
const p16: Float64Array = gridPoints(c.beats.beats, gridDivisions(c.beats.compound));
const tn = c.truth.notes as { word: string; syllable: number; midi: number; start: number; end: number }[];
let t0: number;
let t1: number;
const asTime = Number(which);
if (!Number.isNaN(asTime)) {
  t0 = asTime - 0.3;
  t1 = asTime + 0.6;
} else {
  const [w, k] = which.split('#');
  const hits = (c.truth.words as { word: string; start: number; end: number }[]).filter(
    (x) => x.word.toLowerCase().replace(/[^a-z']/g, '') === w,
  );
  const x = hits[Number(k ?? 0)];
  t0 = x.start - 0.15;
  t1 = x.end + 0.1;
}
for (const w of words)
  if (w.end > t0 && w.start < t1)
    console.log(`word ${w.word} ${w.start.toFixed(3)}–${w.end.toFixed(3)} conf ${w.confidence ?? '-'}`);
for (const n of tn)
  if (n.end > t0 && n.start < t1)
    console.log(`truth ${n.word}[${n.syllable}] ${n.midi} ${n.start.toFixed(3)}–${n.end.toFixed(3)}`);
for (const n of notes)
  if (n.end > t0 && n.start < t1)
    console.log(
      `rep   ${n.text} ${n.midi} ${n.start.toFixed(3)}–${n.end.toFixed(3)} c ${n.confidence.toFixed(2)}${n.onGrid ? ' grid' : ''}`,
    );
const hop = c.hop;
for (let f = Math.max(0, Math.round(t0 / hop)); f <= Math.round(t1 / hop); f++) {
  const t = f * hop;
  const g = Array.from(p16).findIndex((p) => Math.abs(p - t) < hop / 2);
  const mark = g < 0 ? ' ' : g % 2 === 0 ? 'E' : 's';
  const T = tn
    .filter((n) => Math.abs(n.start - t) < hop / 2)
    .map((n) => `T${n.syllable}:${n.midi}`)
    .join(',');
  const R = notes
    .filter((n: { start: number }) => Math.abs(n.start - t) < hop / 2)
    .map((n: { text: string; midi: number }) => `R:${n.text}:${n.midi}`)
    .join(',');
  const m = track.f0[f] > 0 ? (12 * Math.log2(track.f0[f] / 440) + 69).toFixed(1) : '  -  ';
  console.log(
    `${t.toFixed(2)} ${mark} ${m.padStart(5)} v${track.voicing[f].toFixed(1)} ${cues.levelDb[f].toFixed(0).padStart(4)}dB r${cues.rise[f].toFixed(1).padStart(4)} ${T} ${R}`,
  );
}
