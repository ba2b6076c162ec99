// Decode speed: the WebAssembly decoders (worker thread) against ffmpeg (system and bundled),
// each decoding the whole file to 44.1 kHz stereo float PCM, runs interleaved, medians.
// Usage: npx tsx bench/decode/decode-speed.ts [runs] file.mp3 file.flac …
import path from 'node:path';
import type { PcmAudio } from '../../src/audio/pcm.js';
import { decodeToPcm, findMediaTools } from '../../src/infra/ffmpeg.js';
import { wasmDecode, type WasmFormat } from '../../src/infra/wasm-decode/index.js';

const FORMATS: Record<string, WasmFormat> = {
  '.mp3': 'mp3',
  '.flac': 'flac',
  '.ogg': 'vorbis',
  '.opus': 'opus',
};
const args = process.argv.slice(2);
const runs = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 5;
const system = findMediaTools((process.env.PATH ?? '').split(path.delimiter));
const bundled = findMediaTools([]);
const decoders: Record<string, (f: string) => Promise<PcmAudio>> = {
  webassembly: (f: string) => wasmDecode(f, FORMATS[path.extname(f)], 44100, 3600).then((r) => r.audio),
  'ffmpeg (system)': (f: string) => decodeToPcm(system, f, { sampleRate: 44100, channels: 2 }),
  'ffmpeg (bundled 2018)': (f: string) => decodeToPcm(bundled, f, { sampleRate: 44100, channels: 2 }),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const file of args) {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(decoders).map((k) => [k, []]));
  let seconds = 0;
  for (let r = 0; r < runs; r++) {
    for (const [name, decode] of Object.entries(decoders)) {
      const t0 = performance.now();
      const audio = await decode(file);
      times[name].push((performance.now() - t0) / 1000);
      seconds = audio.channels[0].length / audio.sampleRate;
    }
  }
  const ref = median(times['ffmpeg (system)']);
  console.log(`\n${path.basename(file)} (${seconds.toFixed(1)} s of audio), ${runs} runs, median wall time`);
  console.log('| decoder | seconds | × realtime | vs system ffmpeg |');
  console.log('|---|---|---|---|');
  for (const [name, ts] of Object.entries(times)) {
    const m = median(ts);
    console.log(`| ${name} | ${m.toFixed(2)} | ${(seconds / m).toFixed(0)} | ${(m / ref).toFixed(2)}× |`);
  }
}
