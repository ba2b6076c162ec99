/**
 * Re-scores the notes from bench/notes-cache.ts's cache (the same scoring as bench/notes-eval.ts):
 * npx tsx bench/notes-fast.ts <cache-dir> [--tree DIR] [--words truth|aligner|alignerBeats] [--grid engine|truth|none] [-v] [--dump]
 */
import fs from 'node:fs';
import path from 'node:path';
import { matchNote } from './notes/match.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const cacheDir = args[0];
const tree = path.resolve(opt('--tree', path.join(import.meta.dirname, '..')));
const wordsFrom = opt('--words', 'truth');
const gridFrom = opt('--grid', 'engine');
const verbose = args.includes('-v');
const { transcribeNotes } = await import(path.join(tree, 'src/engines/notes/transcribe-notes.ts'));
const { loadPronunciations } = await import(path.join(tree, 'src/engines/notes/syllables.ts'));
const dict = await loadPronunciations();
let total = 0;
let matched = 0;
let reported = 0;
const calib: [number, boolean][] = [];
const perSong: string[] = [];
for (const f of fs.readdirSync(cacheDir).sort()) {
  if (!f.endsWith('.json')) continue;
  const song = f.replace(/\.json$/, '');
  const c = JSON.parse(fs.readFileSync(path.join(cacheDir, f), 'utf8'));
  const truth = c.truth;
  const track = { hop: c.hop, f0: Float32Array.from(c.f0), voicing: Float32Array.from(c.voicing) };
  const cues = { levelDb: Float32Array.from(c.levelDb), rise: Float32Array.from(c.rise) };
  const words = wordsFrom === 'truth' ? truth.words : c[wordsFrom];
  const grid =
    gridFrom === 'engine'
      ? c.beats
      : gridFrom === 'truth'
        ? {
            beats: truth.beats,
            downbeats: truth.downbeats,
            compound: /^(6|9|12)\/8$/.test(truth.time_signature ?? ''),
          }
        : undefined;
  const notes = transcribeNotes(track, words, dict, grid, cues);
  const used = new Set<number>();
  let m = 0;
  for (const t of truth.notes) {
    if (matchNote(notes, t, used) >= 0) m++;
    else if (verbose) {
      const near = notes.filter((n: { start: number }) => Math.abs(n.start - t.start) < 0.3);
      console.log(
        `  miss ${song} ${t.word}[${t.syllable}] ${t.midi} @${t.start.toFixed(3)}: near ${near.map((n: { text: string; midi: number; start: number }) => `${n.text}:${n.midi}@${n.start.toFixed(3)}`).join(' ')}`,
      );
    }
  }
  total += truth.notes.length;
  matched += m;
  reported += notes.length;
  notes.forEach((n: { confidence: number }, i: number) => calib.push([n.confidence, used.has(i)]));
  if (process.env.FEATURES)
    notes.forEach(
      (
        n: {
          confidence: number;
          text: string;
          syllable: number;
          onGrid?: boolean;
          start: number;
          end: number;
          wordIndex: number;
        },
        i: number,
      ) =>
        fs.appendFileSync(
          process.env.FEATURES!,
          JSON.stringify({
            song,
            slur: n.text === '~',
            syl: n.syllable,
            grid: n.onGrid === true,
            conf: n.confidence,
            dur: n.end - n.start,
            wc: words[n.wordIndex]?.confidence,
            ok: used.has(i),
          }) + '\n',
        ),
    );
  perSong.push(`${song}: ${m}/${truth.notes.length}, ${notes.length} reported`);
}
if (verbose) for (const s of perSong) console.log(s);
const pos = calib.filter(([, m]) => m).map(([c]) => c);
const neg = calib.filter(([, m]) => !m).map(([c]) => c);
let wins = 0;
for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
console.log(
  `ALL ${path.basename(cacheDir)} ${wordsFrom} grid=${gridFrom}: ${matched}/${total} = ${((100 * matched) / total).toFixed(1)} %; ${reported} reported, precision ${((100 * matched) / reported).toFixed(1)} %; AUC ${(wins / (pos.length * neg.length)).toFixed(3)}`,
);
