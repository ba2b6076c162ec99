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
const rows: { song: string; truth: string; est: string; conf: number; ok: boolean }[] = [];
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
    });
  }
}
for (const r of rows)
  console.log(
    `${r.ok ? 'ok ' : 'BAD'} ${r.song.padEnd(26)} truth ${r.truth.padEnd(10)} est ${r.est.padEnd(9)} conf ${r.conf.toFixed(2)}`,
  );
console.log(`accuracy ${rows.filter((r) => r.ok).length}/${rows.length}`);
for (const [lo, hi] of [
  [0, 0.34],
  [0.34, 0.67],
  [0.67, 1.01],
]) {
  const bin = rows.filter((r) => r.conf >= lo && r.conf < hi);
  console.log(
    `confidence ${lo.toFixed(2)}–${Math.min(1, hi).toFixed(2)}: ${bin.filter((r) => r.ok).length}/${bin.length} correct`,
  );
}
