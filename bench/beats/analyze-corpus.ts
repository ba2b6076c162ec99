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
/**
 * BEATS_STEM=drums analyses each song's drums.wav (the true stem, or a separated one) instead of
 * the mixture; BEATS_STEM=drums+bass the sum of those stems.
 */
const stems = process.env.BEATS_STEM?.split('+').filter(Boolean) ?? [];
function load(song: string): { channels: Float32Array[]; sampleRate: number } {
  const files = stems.map((s) => path.join(corpus, song, `${s}.wav`));
  if (files.length === 0 || !files.every((f) => fs.existsSync(f)))
    return decodeWav(fs.readFileSync(path.join(corpus, song, 'mixture.wav')));
  const parts = files.map((f) => decodeWav(fs.readFileSync(f)));
  const channels = parts[0].channels.map((c, ch) => {
    const out = new Float32Array(c.length);
    for (const p of parts) {
      const x = p.channels[ch] ?? p.channels[0];
      for (let i = 0; i < out.length; i++) out[i] += x[i] ?? 0;
    }
    return out;
  });
  return { channels, sampleRate: parts[0].sampleRate };
}
const songs = fs
  .readdirSync(corpus)
  .filter((d) => fs.existsSync(path.join(corpus, d, 'mixture.wav')))
  .sort();
for (const song of songs) {
  const t0 = performance.now();
  const pcm = load(song);
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
      meter_confidence: r3(a.meterConfidence),
      tempo_steady: a.tempoSteady,
      tempo_candidates: a.tempoCandidates,
      tempo_curve: a.tempoCurve,
      confidence_terms: a.confidenceTerms,
    }),
  );
  fs.writeFileSync(path.join(out, 'timing.json'), JSON.stringify({ seconds: (t2 - t0) / 1000 }));
  console.log(
    `${song.padEnd(26)} ${a.tempoBpm.toFixed(2).padStart(7)} BPM ${a.timeSignature.padEnd(5)} beats ${a.beats.length} ` +
      `conf t ${a.tempoConfidence.toFixed(2)} b ${a.beatConfidence.toFixed(2)} m ${a.meterConfidence.toFixed(2)} reg ${a.rhythmRegularity.toFixed(2)} ` +
      `decode ${(t1 - t0).toFixed(0)} ms engine ${(t2 - t1).toFixed(0)} ms`,
  );
}
