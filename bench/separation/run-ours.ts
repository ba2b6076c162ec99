/**
 * Runs this project's separation engine on corpus songs and writes the stems in the scorer's
 * results layout.
 *
 *   npx tsx bench/separation/run-ours.ts <corpusDir> <resultsDir> [songs] [--engine htdemucs|dsp] [--threads N] [--shifts N] [--quantize int8] [--spin 1]
 *        [--chunks N] [--fused 0|1] [--split off|coarse|modules|outer|fine] [--overlap 0.25] [--models-dir dir]
 *
 * Per song it prints one JSON line {song, seconds, segments}. Model loading is timed separately
 * (once per process), as it would be amortised by the stage's session cache in the service.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeWav, encodeWav } from '../../src/audio/wav.js';
import { testConfig, type AppConfig } from '../../src/config.js';
import { createSeparationEngine } from '../../src/engines/separation/index.js';
import { DEFAULT_OVERLAP } from '../../src/engines/separation/segments.js';
import { silentLogger } from '../../src/infra/logger.js';
import { STEM_NAMES } from '../../src/storage/paths.js';
import { listSongs } from './corpus.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      engine: { type: 'string', default: 'htdemucs' },
      threads: { type: 'string', default: '2' },
      shifts: { type: 'string', default: '0' },
      quantize: { type: 'string', default: 'off' },
      spin: { type: 'string', default: '0' },
      chunks: { type: 'string', default: '0' },
      fused: { type: 'string' },
      split: { type: 'string', default: 'off' },
      overlap: { type: 'string', default: String(DEFAULT_OVERLAP) },
      'models-dir': { type: 'string' },
    },
  });
  const [corpus, results, only] = positionals;
  if (!corpus || !results)
    throw new Error('usage: run-ours.ts <corpusDir> <resultsDir> [songs] [--engine e]');
  const engineChoice = values.engine === 'dsp' ? 'dsp' : 'htdemucs';
  const config = testConfig({
    onnxThreads: Number(values.threads),
    demucsShifts: Number(values.shifts),
    demucsQuantize: values.quantize === 'int8' ? 'int8' : 'off',
    onnxSpinning: values.spin === '1',
    demucsAttentionChunks: Number(values.chunks),
    ...(values.fused ? { demucsFusedAttention: values.fused === '1' } : {}),
    demucsSplit: values.split as AppConfig['demucsSplit'],
    demucsOverlap: Number(values.overlap),
    ...(values['models-dir'] ? { modelsDir: values['models-dir'] } : {}),
    offline: true,
  });
  const songs = await listSongs(corpus, only);
  const t0 = performance.now();
  const { engine } = await createSeparationEngine(config, engineChoice, silentLogger());
  console.log(
    JSON.stringify({
      engine: engine.info.name,
      loadSeconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
    }),
  );
  for (const song of songs) {
    const mix = decodeWav(await fs.readFile(path.join(corpus, song, 'mixture.wav')));
    let segments = 0;
    const t1 = performance.now();
    const stems = await engine.separate(mix, { onProgress: () => segments++ });
    const seconds = (performance.now() - t1) / 1000;
    const outDir = path.join(results, song, 'stems');
    await fs.mkdir(outDir, { recursive: true });
    for (const name of STEM_NAMES) {
      await fs.writeFile(path.join(outDir, `${name}.wav`), encodeWav(stems[name], 'f32'));
    }
    await fs.writeFile(path.join(results, song, 'timing.json'), JSON.stringify({ seconds }));
    console.log(JSON.stringify({ song, seconds: Number(seconds.toFixed(2)), segments }));
  }
  await engine.dispose();
}

await main();
