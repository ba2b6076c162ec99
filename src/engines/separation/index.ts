/**
 * @file Picks the separation engine for a job from the table in `engines.ts`:
 *  - an engine's name → that engine, or an UnavailableError saying why (missing + OFFLINE,
 *    failed download, corrupt file): asking for an engine explicitly never silently degrades;
 *  - `auto` → the first engine of the table that can run here; when that is a fallback, a
 *    warning names the reason the better ones could not.
 * A fallback engine's results always carry a warning saying so; an engine with a licence
 * warning adds it.
 */

import type { Logger } from 'pino';
import type { AppConfig } from '../../config.js';
import { UnavailableError } from '../../errors.js';
import { engineInfo } from '../descriptor.js';
import type { SeparationEngineChoice, SeparationEngineDeps, SeparationEngineDescriptor } from './engines.js';
import { SEPARATION_ENGINES, separationEngine } from './engines.js';
import type { SeparationEngine } from './types.js';

export type { SeparationEngine, SeparateOptions, Stems } from './types.js';

export interface EngineSelection {
  engine: SeparationEngine;
  descriptor: SeparationEngineDescriptor;
  warnings: string[];
}

export type EngineFactoryOptions = Omit<SeparationEngineDeps, 'config' | 'log'>;

export function fallbackWarning(reason: string): string {
  return `stems come from the DSP fallback engine (${reason}): they are a rough classical split, not model quality`;
}

export async function createSeparationEngine(
  config: AppConfig,
  choice: SeparationEngineChoice,
  log: Logger,
  opts: EngineFactoryOptions = {},
): Promise<EngineSelection> {
  const deps: SeparationEngineDeps = { config, log, ...opts };
  if (choice !== 'auto') {
    const d = separationEngine(choice);
    return selected(d, await d.create(deps, engineInfo(d)), `the ${d.name} separation engine was asked for`);
  }
  let reason: string | undefined;
  for (const [i, d] of SEPARATION_ENGINES.entries()) {
    try {
      return selected(
        d,
        await d.create(deps, engineInfo(d)),
        reason ?? `the ${d.name} separation engine was asked for`,
      );
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      const next = SEPARATION_ENGINES[i + 1];
      log.warn({ reason: err.message }, `${d.name} unavailable${next ? `, trying ${next.name}` : ''}`);
      reason ??= `${d.name} unavailable: ${err.message}`;
    }
  }
  throw new UnavailableError(reason ?? 'no separation engine can run here');
}

function selected(
  d: SeparationEngineDescriptor,
  engine: SeparationEngine,
  fallbackReason: string,
): EngineSelection {
  const warnings: string[] = [];
  if (d.quality === 'fallback') warnings.push(fallbackWarning(fallbackReason));
  if (d.licenceWarning) warnings.push(d.licenceWarning);
  return { engine, descriptor: d, warnings };
}
