/**
 * @file Every engine table, by the stage kind that chooses among them (what `/health` lists).
 */

import { engineView, type EngineView } from './descriptor.js';
import { SEPARATION_ENGINES } from './separation/engines.js';

export const ENGINE_TABLES = {
  separation: SEPARATION_ENGINES,
} as const;

export type EngineKind = keyof typeof ENGINE_TABLES;

export function engineViews(): Record<EngineKind, EngineView[]> {
  return { separation: ENGINE_TABLES.separation.map(engineView) };
}
