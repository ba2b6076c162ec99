/**
 * @file Loading htdemucs: the model file (local, npm package or download), its ONNX session
 * (shared through the cache), and the engine around it.
 */

import type { EngineInfo } from '../../domain/stage.js';
import { AppError, UnavailableError } from '../../errors.js';
import { ensureModel, modelSpec, type ModelSpec } from '../models.js';
import type { SeparationEngineDeps } from './engines.js';
import { HtdemucsEngine } from './htdemucs-onnx.js';
import { HtdemucsSession } from './htdemucs-session.js';
import type { SeparationEngine } from './types.js';

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
  const load = () =>
    HtdemucsSession.load(location.path, { threads: config.onnxThreads, provider: config.onnxProvider, log });
  const session = deps.cache
    ? await deps.cache.get(`${info.name}|${location.path}|${config.onnxThreads}|${config.onnxProvider}`, load)
    : await load();
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
