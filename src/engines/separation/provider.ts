/**
 * @file Which onnxruntime execution provider runs the separation model, said out loud.
 *
 * `ONNX_PROVIDER=cuda` needs onnxruntime-node's CUDA execution provider, a library its install
 * script fetches from NuGet (too big for npm) and that this project's installs skip
 * (`ONNXRUNTIME_NODE_INSTALL=skip`). Install it with {@link CUDA_INSTALL_COMMAND}. When CUDA is asked
 * for and the library is missing or the session cannot be created on it, loading fails with an
 * UnavailableError that says why and how to install it: never a silent run on the CPU. The last
 * load's outcome is kept here for `/health` and the start-up log.
 */

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OnnxProvider } from '../../config.js';
import { UnavailableError } from '../../errors.js';

/** The one command that fetches the CUDA 12 execution provider into node_modules/onnxruntime-node. */
export const CUDA_INSTALL_COMMAND =
  'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js';
const CUDA_LIBRARY = 'libonnxruntime_providers_cuda.so';

/** What the runtime offers: onnxruntime-node's backend list and whether a file exists. */
export interface ProviderProbe {
  listSupportedBackends(): { name: string; bundled: boolean }[];
  fileExists(file: string): boolean;
  /** The folder of onnxruntime-node's native binding (where its install script puts the CUDA EP). */
  bindingDir: string;
}

export function defaultProbe(): ProviderProbe {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return {
    listSupportedBackends: () =>
      (
        require('onnxruntime-node') as { listSupportedBackends(): { name: string; bundled: boolean }[] }
      ).listSupportedBackends(),
    fileExists: (file) => fs.existsSync(file),
    bindingDir: path.join(root, 'bin', 'napi-v6', process.platform, process.arch),
  };
}

/** Whether the CUDA execution provider can be loaded here; when not, the reason and the fix. */
export function cudaAvailability(
  probe: ProviderProbe,
): { available: true } | { available: false; reason: string } {
  const cuda = probe.listSupportedBackends().find((b) => b.name === 'cuda');
  if (!cuda)
    return {
      available: false,
      reason: `this onnxruntime-node build has no CUDA execution provider (${process.platform}/${process.arch})`,
    };
  if (!cuda.bundled && !probe.fileExists(path.join(probe.bindingDir, CUDA_LIBRARY))) {
    return {
      available: false,
      reason: `the CUDA execution provider of onnxruntime-node is not installed (${CUDA_LIBRARY} missing in ${probe.bindingDir}); install it with: ${CUDA_INSTALL_COMMAND}`,
    };
  }
  return { available: true };
}

export interface ProviderReport {
  requested: OnnxProvider;
  /** The provider the loaded model runs on; null until a model has been loaded (or when loading failed). */
  active: OnnxProvider | null;
  status: 'ok' | 'degraded';
  message?: string;
}

let lastLoad: { requested: OnnxProvider; active: OnnxProvider | null; error?: string } | undefined;

/** Records the outcome of a session load (called by the session loader). */
export function recordProviderLoad(
  requested: OnnxProvider,
  active: OnnxProvider | null,
  error?: string,
): void {
  lastLoad = { requested, active, ...(error ? { error } : {}) };
}

/** Forgets the recorded load (tests). */
export function resetProviderReport(): void {
  lastLoad = undefined;
}

/**
 * What `/health` says about the execution provider: the last load's outcome when one happened with
 * this request, otherwise whether the requested provider could load (without loading a model).
 */
export function providerReport(requested: OnnxProvider, probe?: ProviderProbe): ProviderReport {
  if (lastLoad && lastLoad.requested === requested) {
    if (lastLoad.error) return { requested, active: null, status: 'degraded', message: lastLoad.error };
    return { requested, active: lastLoad.active, status: 'ok' };
  }
  if (requested === 'cuda') {
    const cuda = cudaAvailability(probe ?? defaultProbe());
    if (!cuda.available) return { requested, active: null, status: 'degraded', message: cuda.reason };
  }
  return { requested, active: null, status: 'ok' };
}

/** The execution-provider list for a session, or an UnavailableError when `requested` cannot run here. */
export function executionProviders(requested: OnnxProvider, probe?: ProviderProbe): string[] {
  if (requested === 'cpu') return ['cpu'];
  const cuda = cudaAvailability(probe ?? defaultProbe());
  if (!cuda.available) {
    const message = `ONNX_PROVIDER=cuda, but ${cuda.reason}`;
    recordProviderLoad(requested, null, message);
    throw new UnavailableError(message);
  }
  // Nodes CUDA has no kernel for run on the CPU inside the same session (onnxruntime's own split);
  // the session as a whole is a CUDA one or its creation fails.
  return ['cuda', 'cpu'];
}
