/**
 * Runs the beat engine on every song of an evaluation corpus and writes the results tree the
 * corpus scorer reads: <results>/<song>/beats.json (+ timing.json with the engine time).
 *   npx tsx bench/beats/analyze-corpus.ts <corpus_dir> <results_dir>
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';

const [corpus, results] = process.argv.slice(2);
if (!corpus || !results) {
  console.error('usage: analyze-corpus.ts <corpus_dir> <results_dir>');
  process.exit(2);
}
const songs = fs
  .readdirSync(corpus)
  .filter((d) => fs.existsSync(path.join(corpus, d, 'mixture.wav')))
  .sort();
for (const song of songs) {
  const t0 = performance.now();
  const pcm = decodeWav(fs.readFileSync(path.join(corpus, song, 'mixture.wav')));
  const t1 = performance.now();
  const a = analyzeBeats(pcm.channels, pcm.sampleRate);
  const t2 = performance.now();
  const out = path.join(results, song);
  fs.mkdirSync(out, { recursive: true });
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  fs.writeFileSync(
    path.join(out, 'beats.json'),
    JSON.stringify({
      tempo_bpm: r3(a.tempoBpm),
      time_signature: a.timeSignature,
      beats: Array.from(a.beats, r3),
      downbeats: Array.from(a.downbeats, r3),
      onsets: Array.from(a.onsets, r3),
      beat_confidence: r3(a.beatConfidence),
      tempo_confidence: r3(a.tempoConfidence),
      tempo_steady: a.tempoSteady,
      tempo_candidates: a.tempoCandidates,
      tempo_curve: a.tempoCurve,
    }),
  );
  fs.writeFileSync(path.join(out, 'timing.json'), JSON.stringify({ seconds: (t2 - t0) / 1000 }));
  console.log(
    `${song.padEnd(26)} ${a.tempoBpm.toFixed(2).padStart(7)} BPM ${a.timeSignature.padEnd(5)} beats ${a.beats.length} ` +
      `conf t ${a.tempoConfidence.toFixed(2)} b ${a.beatConfidence.toFixed(2)} m ${a.meterConfidence.toFixed(2)} reg ${a.rhythmRegularity.toFixed(2)} ` +
      `decode ${(t1 - t0).toFixed(0)} ms engine ${(t2 - t1).toFixed(0)} ms`,
  );
}
