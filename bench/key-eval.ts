/**
 * Key accuracy and confidence calibration on eval-kit corpora (truth.json `key`, e.g. "G major";
 * dorian counts as minor): the mixture's key estimate.
 * Run: npx tsx bench/key-eval.ts <corpus-dir>...
 */
import fs from 'node:fs';
import path from 'node:path';
import { estimateKey, PITCH_CLASSES } from '../src/audio/key/key.js';
import { toMono } from '../src/audio/pcm.js';
import { decodeWav } from '../src/audio/wav.js';

const ENHARMONIC: Record<string, string> = {
  Db: 'C#',
  'D#': 'Eb',
  Gb: 'F#',
  'G#': 'Ab',
  'A#': 'Bb',
  Cb: 'B',
  Fb: 'E',
};
/** How a wrong estimate relates to the true key. */
function relation(want: string, est: string): string {
  if (est === want) return 'right';
  const [wt, wm] = want.split(' ');
  const [et, em] = est.split(' ');
  const pc = (t: string): number => (PITCH_CLASSES as readonly string[]).indexOf(t);
  const d = (pc(et) - pc(wt) + 12) % 12;
  if (wm !== em && ((wm === 'major' && d === 9) || (wm === 'minor' && d === 3))) return 'relative';
  if (wm !== em && d === 0) return 'parallel';
  if (wm === em && (d === 7 || d === 5)) return d === 7 ? 'dominant' : 'subdominant';
  return 'other';
}
const rows: { song: string; truth: string; est: string; conf: number; ok: boolean; rel: string }[] = [];
for (const corpus of process.argv.slice(2)) {
  for (const song of fs.readdirSync(corpus).sort()) {
    const tf = path.join(corpus, song, 'truth.json');
    if (!fs.existsSync(tf)) continue;
    const truth = JSON.parse(fs.readFileSync(tf, 'utf8')) as { key: string };
    const [t, m] = truth.key.split(' ');
    const tonic = ENHARMONIC[t] ?? t;
    if (!(PITCH_CLASSES as readonly string[]).includes(tonic)) continue;
    const want = `${tonic} ${m === 'major' ? 'major' : 'minor'}`;
    const mix = decodeWav(fs.readFileSync(path.join(corpus, song, 'mixture.wav')));
    const k = estimateKey(toMono(mix), mix.sampleRate);
    rows.push({
      song,
      truth: truth.key,
      est: k?.name ?? '-',
      conf: k?.confidence ?? 0,
      ok: k?.name === want,
      rel: k ? relation(want, k.name) : 'none',
    });
  }
}
for (const r of rows)
  console.log(
    `${r.ok ? 'ok ' : 'BAD'} ${r.song.padEnd(26)} truth ${r.truth.padEnd(10)} est ${r.est.padEnd(9)} conf ${r.conf.toFixed(2)}${r.ok ? '' : ` (${r.rel})`}`,
  );
console.log(`accuracy ${rows.filter((r) => r.ok).length}/${rows.length}`);
const confusions = new Map<string, number>();
for (const r of rows) if (!r.ok) confusions.set(r.rel, (confusions.get(r.rel) ?? 0) + 1);
console.log(`errors: ${[...confusions].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
for (const [lo, hi] of [
  [0, 0.25],
  [0.25, 0.5],
  [0.5, 0.75],
  [0.75, 1.01],
]) {
  const bin = rows.filter((r) => r.conf >= lo && r.conf < hi);
  const ok = bin.filter((r) => r.ok).length;
  console.log(
    `confidence ${lo.toFixed(2)}–${Math.min(1, hi).toFixed(2)}: ${ok}/${bin.length} correct${bin.length ? ` (${((100 * ok) / bin.length).toFixed(0)} %)` : ''}`,
  );
}
