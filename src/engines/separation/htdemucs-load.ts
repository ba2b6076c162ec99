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
import { ensureChunkedModel } from './chunk-attention.js';
import { ensureFusedModel } from './fuse-attention.js';
import { ensureQuantizedModel, QUANTIZER_VERSION } from './quantize.js';
import { ensureSplitModel } from './split-model.js';
import { tuneMalloc } from '../../infra/malloc.js';

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

/**
 * The optimised-graph cache a session uses, if any. Not for the attention-chunked graph: reloaded
 * from the cache its peak RSS was 3.40 GiB, against 2.38 GiB optimised at load and 2.80 GiB for the
 * exported graph from the cache (BENCHMARKS.md, attention chunking), so it is optimised at load.
 */
export function optimizedCacheFor(
  config: Pick<
    SeparationEngineDeps['config'],
    | 'onnxCacheOptimized'
    | 'demucsAttentionChunks'
    | 'demucsFusedAttention'
    | 'demucsQuantize'
    | 'demucsSplit'
    | 'onnxProvider'
    | 'modelsDir'
  >,
  sha256: string,
): string | undefined {
  // A split model is many graphs; its parts are optimised at load (each part is small). The
  // rewritten graphs (chunked, fused) are not cached either: their name is not in the cache's key.
  if (
    !config.onnxCacheOptimized ||
    config.demucsAttentionChunks > 1 ||
    config.demucsFusedAttention ||
    config.demucsSplit !== 'off'
  )
    return undefined;
  return optimizedModelPath(config.modelsDir, sha256, config.demucsQuantize, config.onnxProvider);
}

/**
 * The model file a session loads: the downloaded graph, its int8 copy (`DEMUCS_QUANTIZE=int8`),
 * then its attention-fused copy (`DEMUCS_FUSED_ATTENTION`) or else its attention-chunked copy
 * (`DEMUCS_ATTENTION_CHUNKS` > 1; a fused graph has no attention chain left to chunk), then that cut into consecutive
 * parts (`DEMUCS_SPLIT`; the path is then the parts' manifest), each written once into `MODELS_DIR`
 * and reused (each copy's name carries the one it was made from).
 */
export async function derivedModelPath(
  modelPath: string,
  config: Pick<
    SeparationEngineDeps['config'],
    | 'demucsQuantize'
    | 'demucsAttentionChunks'
    | 'demucsFusedAttention'
    | 'demucsSplit'
    | 'modelsDir'
    | 'onnxThreads'
  >,
  sha256: string,
  log: SeparationEngineDeps['log'],
): Promise<string> {
  let current = modelPath;
  if (config.demucsQuantize === 'int8') {
    const q = await ensureQuantizedModel(current, config.modelsDir, sha256);
    if (q.created) log.info({ path: q.path, ...q.report }, 'htdemucs weights quantized to int8');
    current = q.path;
  }
  if (config.demucsFusedAttention) {
    const f = await ensureFusedModel(current, config.modelsDir, sha256);
    if (f.created) log.info({ path: f.path, ...f.report }, 'htdemucs attention fused');
    current = f.path;
  } else if (config.demucsAttentionChunks > 1) {
    const c = await ensureChunkedModel(current, config.modelsDir, sha256, config.demucsAttentionChunks);
    if (c.created) log.info({ path: c.path, ...c.report }, 'htdemucs attention chunked');
    current = c.path;
  }
  if (config.demucsSplit !== 'off') {
    const s = await ensureSplitModel(
      current,
      config.modelsDir,
      sha256,
      config.demucsSplit,
      config.onnxThreads,
    );
    if (s.created) log.info({ path: s.manifest, ...s.report }, 'htdemucs split into consecutive sessions');
    current = s.manifest;
  }
  return current;
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
  // A copy that cannot be derived (a corrupt download the splitter cannot parse) is a model that
  // cannot be loaded, reported as such (auto then falls back to the DSP separator).
  const modelPath = await derivedModelPath(location.path, config, spec.sha256, log).catch((err: unknown) => {
    throw new UnavailableError(
      `htdemucs model at ${location.path} could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  });
  const optimizedPath = optimizedCacheFor(config, spec.sha256);
  const malloc = tuneMalloc(config.mallocMmapThreshold, {
    trimThreshold: config.mallocTrimThreshold,
    topPad: config.mallocTopPad,
  });
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
    { model: spec.name, path: location.path, origin: location.origin, provider: session.provider, malloc },
    'htdemucs loaded',
  );
  // The loaded model's own licence is what the stems carry.
  const engine = new HtdemucsEngine(session, {
    shifts: config.demucsShifts,
    overlap: config.demucsOverlap,
    info: { ...info, license: spec.license },
  });
  // A cached session outlives the job: disposing the engine must not release it.
  return deps.cache ? Object.assign(engine, { dispose: async () => undefined }) : engine;
}
