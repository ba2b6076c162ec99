/**
 * CPU time of the transcription engine (lyrics given, no recogniser) on one vocals file:
 *   npx tsx bench/lyrics/cpu-one.ts VOCALS.wav LYRICS.txt
 * Prints process CPU seconds (user+system) for analysis (features, pitch, cues) and alignment.
 */
import fs from 'node:fs';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeVocals } from '../../src/engines/transcription/analysis.js';
import { alignLyrics } from '../../src/engines/transcription/lyrics-aligner.js';

const audio = decodeWav(fs.readFileSync(process.argv[2]));
const lyrics = fs.readFileSync(process.argv[3], 'utf8');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const c0 = cpu();
const analysis = analyzeVocals(audio);
const c1 = cpu();
alignLyrics(analysis, lyrics);
const c2 = cpu();
const dur = audio.channels[0].length / audio.sampleRate;
console.log(
  `audio ${dur.toFixed(1)} s, style ${analysis.style}: analysis ${(c1 - c0).toFixed(2)} s CPU, alignment ${(c2 - c1).toFixed(2)} s CPU, total ${(c2 - c0).toFixed(2)} s CPU`,
);
