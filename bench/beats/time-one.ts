/**
 * One timed run of the beat engine on a WAV file, as a user would run it: read + decode the
 * file, analyse, write beats.json. Prints {"decode_ms","engine_ms","engine_cpu_ms","total_ms"}
 * (engine_cpu_ms is the process CPU time of the analysis: less sensitive to a busy machine).
 *   node --import tsx bench/beats/time-one.ts <file.wav> <out.json>
 */
import fs from 'node:fs';
import { decodeWav } from '../../src/audio/wav.js';
import { analyzeBeats } from '../../src/engines/beats/beat-dsp.js';

const [file, out] = process.argv.slice(2);
if (!file || !out) {
  console.error('usage: time-one.ts <file.wav> <out.json>');
  process.exit(2);
}
const t0 = performance.now();
const pcm = decodeWav(fs.readFileSync(file));
const t1 = performance.now();
const cpu0 = process.cpuUsage();
const a = analyzeBeats(pcm.channels, pcm.sampleRate);
const cpu = process.cpuUsage(cpu0);
const t2 = performance.now();
fs.writeFileSync(out, JSON.stringify({ tempo_bpm: a.tempoBpm, beats: Array.from(a.beats) }));
const t3 = performance.now();
console.log(
  JSON.stringify({
    decode_ms: t1 - t0,
    engine_ms: t2 - t1,
    engine_cpu_ms: (cpu.user + cpu.system) / 1000,
    total_ms: t3 - t0,
  }),
);
