/**
 * Variant speed and accuracy on an eval-kit song (default: the 3-minute p99_long_120).
 *  - speed: wall time of a key shift (−2) and of a tempo change (0.9×) vs the song's length;
 *  - key shift: median per-frame f0 change of the bass stem (cents) against the asked shift,
 *    and the length (unchanged);
 *  - tempo: pitch kept (median f0 change at time-mapped frames), and the project's beat tracker
 *    on the 0.9× instrumental scored (F, ±70 ms) against the truth beats scaled by 1/0.9.
 * Run: npx tsx bench/variant-bench.ts /tmp/karaoke-eval/<set>/public/p99_long_120
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toMono } from '../src/audio/pcm.js';
import { trackPitch } from '../src/audio/pitch/track.js';
import { decodeWav } from '../src/audio/wav.js';
import { analyzeBeats } from '../src/engines/beats/beat-dsp.js';
import { findMediaTools } from '../src/infra/ffmpeg.js';
import { jobPaths } from '../src/storage/paths.js';
import { parseVariantParams, variantId } from '../src/variants/params.js';
import { renderVariant } from '../src/variants/render.js';

const song = process.argv[2];
const tools = findMediaTools((process.env.PATH ?? '').split(path.delimiter));
const truth = JSON.parse(fs.readFileSync(path.join(song, 'truth.json'), 'utf8')) as {
  beats: number[];
  duration: number;
};
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'variant-bench-'));

function jobDir(name: string, stems: string[]): string {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, 'stems'), { recursive: true });
  const inputs = stems.flatMap((s) => ['-i', path.join(song, 'stems', `${s}.wav`)]);
  const filter = stems.length > 1 ? ['-filter_complex', `amix=inputs=${stems.length}:normalize=0`] : [];
  execFileSync(tools.ffmpeg, [
    '-v',
    'error',
    '-y',
    ...inputs,
    ...filter,
    path.join(dir, 'stems', 'instrumental.wav'),
  ]);
  return dir;
}

async function variant(dir: string, body: object): Promise<{ file: string; seconds: number }> {
  const p = parseVariantParams(body);
  const t0 = performance.now();
  const files = await renderVariant(tools, jobPaths(dir), variantId(p), p, () => undefined);
  return { file: path.join(dir, files.instrumental), seconds: (performance.now() - t0) / 1000 };
}

const load = (f: string) => decodeWav(fs.readFileSync(f));
const len = (f: string) => {
  const a = load(f);
  return a.channels[0].length / a.sampleRate;
};

/** Median cents of shifted f0 over original f0, frames mapped by the tempo factor. */
function medianCents(orig: string, shifted: string, tempo: number): number {
  const a = load(orig);
  const b = load(shifted);
  const ta = trackPitch(toMono(a), a.sampleRate);
  const tb = trackPitch(toMono(b), b.sampleRate);
  const d: number[] = [];
  for (let i = 0; i < ta.f0.length; i++) {
    const j = Math.round(i / tempo);
    if (ta.f0[i] > 0 && tb.f0[j] > 0 && ta.voicing[i] > 0.8 && tb.voicing[j] > 0.8)
      d.push(1200 * Math.log2(tb.f0[j] / ta.f0[i]));
  }
  d.sort((x, y) => x - y);
  return d[d.length >> 1];
}

function beatF(est: ArrayLike<number>, ref: number[], tol = 0.07): number {
  const used = new Set<number>();
  let hit = 0;
  for (const r of ref) {
    for (let i = 0; i < est.length; i++) {
      if (!used.has(i) && Math.abs(est[i] - r) <= tol) {
        used.add(i);
        hit++;
        break;
      }
    }
  }
  const p = hit / Math.max(1, est.length);
  const rc = hit / Math.max(1, ref.length);
  return p + rc > 0 ? (2 * p * rc) / (p + rc) : 0;
}

const inst = jobDir('inst', ['drums', 'bass', 'other']);
const bass = jobDir('bass', ['bass']);
const length = len(path.join(inst, 'stems', 'instrumental.wav'));
const key = await variant(inst, { semitones: -2 });
const slow = await variant(inst, { tempo: 0.9 });
console.log(`song ${length.toFixed(1)} s`);
console.log(
  `key −2: ${key.seconds.toFixed(1)} s = ${(key.seconds / length).toFixed(3)} × song; length ${len(key.file).toFixed(3)} s`,
);
console.log(
  `tempo 0.9: ${slow.seconds.toFixed(1)} s = ${(slow.seconds / length).toFixed(3)} × song; length ${len(slow.file).toFixed(3)} s (want ${(length / 0.9).toFixed(3)})`,
);
for (const s of [-2, 3]) {
  const v = await variant(bass, { semitones: s });
  console.log(
    `bass f0 shift, asked ${s * 100} cents: median ${medianCents(path.join(bass, 'stems', 'instrumental.wav'), v.file, 1).toFixed(1)} cents`,
  );
}
const bslow = await variant(bass, { tempo: 0.9 });
console.log(
  `bass f0 at tempo 0.9: median ${medianCents(path.join(bass, 'stems', 'instrumental.wav'), bslow.file, 0.9).toFixed(1)} cents`,
);
const a = load(slow.file);
const beats = analyzeBeats(a.channels, a.sampleRate);
console.log(
  `beats on the 0.9× instrumental vs truth/0.9: F = ${beatF(
    beats.beats,
    truth.beats.map((b) => b / 0.9),
  ).toFixed(3)}`,
);
const orig = load(path.join(inst, 'stems', 'instrumental.wav'));
console.log(
  `(same tracker on the original vs truth: F = ${beatF(analyzeBeats(orig.channels, orig.sampleRate).beats, truth.beats).toFixed(3)})`,
);
fs.rmSync(work, { recursive: true, force: true });
