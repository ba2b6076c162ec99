/**
 * @file Loading htdemucs: the model file (local, npm package or download), its ONNX session
 * (shared through the cache), and the engine around it.
 */

import { createRequire } from 'node:module';
import path from 'node:path';
import type { EngineInfo } from '../../domain/stage.js';
import { AppError, UnavailableError } from '../../errors.js';
import { ensureModel, modelSpec, type ModelSpec } from '../models.js';
import type { SeparationEngineDeps } from './engines.js';
import { HtdemucsEngine } from './htdemucs-onnx.js';
import { HtdemucsSession } from './htdemucs-session.js';
import type { SeparationEngine } from './types.js';
import { ensureQuantizedModel, QUANTIZER_VERSION } from './quantize.js';

const ORT_VERSION = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string })
  .version;

/**
 * Where onnxruntime's optimised graph is cached: keyed by the model's checksum, the quantizer, the
 * onnxruntime version and the provider (the optimised graph holds provider-specific fused nodes).
 */
export function optimizedModelPath(
  modelsDir: string,
  sha256: string,
  quantize: 'off' | 'int8',
  provider: 'cpu' | 'cuda',
): string {
  const q = quantize === 'int8' ? `-int8q${QUANTIZER_VERSION}` : '';
  return path.join(
    modelsDir,
    'optimized',
    `htdemucs-${sha256.slice(0, 12)}${q}-ort${ORT_VERSION}-${provider}.onnx`,
  );
}

export async function loadHtdemucs(deps: SeparationEngineDeps, info: EngineInfo): Promise<SeparationEngine> {
  const { config, log } = deps;
  let spec: ModelSpec;
  try {
    spec = deps.spec ?? modelSpec(config.demucsModel);
  } catch (err) {
    throw new UnavailableError(
      err instanceof AppError ? err.message : `unknown demucs model ${config.demucsModel}`,
    );
  }
  const location = await ensureModel(spec, config, log, deps.signal);
  let modelPath = location.path;
  if (config.demucsQuantize === 'int8') {
    const q = await ensureQuantizedModel(location.path, config.modelsDir, spec.sha256);
    if (q.created) log.info({ path: q.path, ...q.report }, 'htdemucs weights quantized to int8');
    modelPath = q.path;
  }
  const optimizedPath = config.onnxCacheOptimized
    ? optimizedModelPath(config.modelsDir, spec.sha256, config.demucsQuantize, config.onnxProvider)
    : undefined;
  const load = () =>
    HtdemucsSession.load(modelPath, {
      threads: config.onnxThreads,
      provider: config.onnxProvider,
      spinning: config.onnxSpinning,
      arena: config.onnxArena,
      optimizedPath,
      log,
    });
  const key = [
    info.name,
    modelPath,
    config.onnxThreads,
    config.onnxProvider,
    config.onnxSpinning,
    config.onnxArena,
  ];
  const session = deps.cache ? await deps.cache.get(key.join('|'), load) : await load();
  log.info(
    { model: spec.name, path: location.path, origin: location.origin, provider: session.provider },
    'htdemucs loaded',
  );
  // The loaded model's own licence is what the stems carry.
  const engine = new HtdemucsEngine(session, {
    shifts: config.demucsShifts,
    info: { ...info, license: spec.license },
  });
  // A cached session outlives the job: disposing the engine must not release it.
  return deps.cache ? Object.assign(engine, { dispose: async () => undefined }) : engine;
}
