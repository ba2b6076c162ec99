/**
 * @file An engine as data. Each stage kind has one table of these (`engines/<kind>/engines.ts`);
 * the config values, the API and CLI choices, `/health` and the engine named in results and in
 * report.json are all read from it, so adding an engine is its own file plus one row.
 */

import type { EngineInfo } from '../domain/stage.js';

export interface EngineDescriptor<Name extends string, Deps, Engine> {
  /** What users choose (config, API field, CLI flag), e.g. "htdemucs". */
  readonly name: Name;
  /** The name results carry (`engine.name` in job records and report.json), e.g. "htdemucs-onnx". */
  readonly engine: string;
  readonly version: string;
  readonly licence?: string;
  /** Attached to every result made with this engine (e.g. weights not licensed for commercial use). */
  readonly licenceWarning?: string;
  readonly quality: EngineInfo['quality'];
  /** The engine's loaded session has per-song buffers: one song at a time may run on it. */
  readonly exclusive: boolean;
  /** Loads the engine; throws UnavailableError when it cannot run here. */
  readonly create: (deps: Deps, info: EngineInfo) => Promise<Engine>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any descriptor, whatever it creates
export type AnyEngineDescriptor = EngineDescriptor<string, any, unknown>;

/** The engine as results name it. */
export function engineInfo(d: AnyEngineDescriptor): EngineInfo {
  return {
    name: d.engine,
    version: d.version,
    quality: d.quality,
    ...(d.licence === undefined ? {} : { license: d.licence }),
  };
}

/** What `/health` says about an engine. */
export interface EngineView {
  name: string;
  engine: string;
  version: string;
  quality: EngineInfo['quality'];
  licence: string | null;
  exclusive: boolean;
}

export function engineView(d: AnyEngineDescriptor): EngineView {
  return {
    name: d.name,
    engine: d.engine,
    version: d.version,
    quality: d.quality,
    licence: d.licence ?? null,
    exclusive: d.exclusive,
  };
}

/** "a, b or c": a closed set of names, for messages. */
export function orList(names: readonly string[]): string {
  return names.length <= 1
    ? names.join('')
    : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
