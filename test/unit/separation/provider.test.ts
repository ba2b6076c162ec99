import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../src/errors.js';
import { HtdemucsSession } from '../../../src/engines/separation/htdemucs-session.js';
import {
  CUDA_INSTALL_COMMAND,
  cudaAvailability,
  executionProviders,
  providerReport,
  resetProviderReport,
  type ProviderProbe,
} from '../../../src/engines/separation/provider.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { startTestService, type TestService } from '../../helpers/services.js';
import { buildStubModel } from './stub-model.js';

/** A runtime whose backend list and files are made up: what onnxruntime-node reports, faked. */
function fakeProbe(cuda: 'absent' | 'not-installed' | 'installed'): ProviderProbe & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    bindingDir: '/fake/onnxruntime-node/bin',
    listSupportedBackends: () => [
      { name: 'cpu', bundled: true },
      ...(cuda === 'absent' ? [] : [{ name: 'cuda', bundled: false }]),
    ],
    fileExists: (file) => {
      asked.push(file);
      return cuda === 'installed' && file === '/fake/onnxruntime-node/bin/libonnxruntime_providers_cuda.so';
    },
  };
}

let dir: string;
let svc: TestService | undefined;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'provider-'));
});
afterEach(async () => {
  resetProviderReport();
  await svc?.close();
  svc = undefined;
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('execution provider detection', () => {
  it('says why CUDA cannot load and names the install command', () => {
    const none = cudaAvailability(fakeProbe('absent'));
    expect(none.available).toBe(false);
    const missing = fakeProbe('not-installed');
    const r = cudaAvailability(missing);
    expect(r.available).toBe(false);
    if (!r.available) expect(r.reason).toContain(CUDA_INSTALL_COMMAND);
    expect(missing.asked).toEqual(['/fake/onnxruntime-node/bin/libonnxruntime_providers_cuda.so']);
    expect(cudaAvailability(fakeProbe('installed'))).toEqual({ available: true });
  });

  it('never falls back to the CPU silently: asking for CUDA without it throws and the report is degraded', () => {
    expect(executionProviders('cpu', fakeProbe('absent'))).toEqual(['cpu']);
    expect(executionProviders('cuda', fakeProbe('installed'))).toEqual(['cuda', 'cpu']);
    expect(() => executionProviders('cuda', fakeProbe('not-installed'))).toThrow(UnavailableError);
    const report = providerReport('cuda', fakeProbe('installed'));
    // The failed load is what counts, even though a probe now says the library is there.
    expect(report).toMatchObject({ requested: 'cuda', active: null, status: 'degraded' });
    expect(report.message).toContain('ONNX_PROVIDER=cuda');
  });

  it('reports the provider a real session loaded on, and a failed CUDA load of a real model file', async () => {
    const file = path.join(dir, 'stub.onnx');
    await fs.writeFile(file, buildStubModel('quarter-time'));
    expect(providerReport('cpu')).toEqual({ requested: 'cpu', active: null, status: 'ok' });
    const s = await HtdemucsSession.load(file, { threads: 1, provider: 'cpu', log: silentLogger() });
    expect(s.provider).toBe('cpu');
    expect(providerReport('cpu')).toEqual({ requested: 'cpu', active: 'cpu', status: 'ok' });
    await s.dispose();
    await expect(
      HtdemucsSession.load(file, {
        threads: 1,
        provider: 'cuda',
        log: silentLogger(),
        probe: fakeProbe('not-installed'),
      }),
    ).rejects.toThrow(/CUDA execution provider of onnxruntime-node is not installed/);
    expect(providerReport('cuda', fakeProbe('not-installed'))).toMatchObject({
      status: 'degraded',
      active: null,
    });
  });

  it('/health names the provider and is degraded when the requested one cannot run', async () => {
    svc = await startTestService({ workers: false });
    const ok = await svc.app.inject('/health');
    expect(ok.json().onnx_provider).toEqual({ requested: 'cpu', active: null, status: 'ok' });
    await svc.close();
    svc = await startTestService({ workers: false, config: { onnxProvider: 'cuda' } });
    const res = await svc.app.inject('/health');
    const body = res.json();
    // This machine has no CUDA provider installed (the installs skip it); where one is, the
    // requested provider is fine and the service is not degraded for it.
    const here = cudaAvailability(
      (await import('../../../src/engines/separation/provider.js')).defaultProbe(),
    );
    if (here.available) {
      expect(body.onnx_provider).toMatchObject({ requested: 'cuda', status: 'ok' });
    } else {
      expect(res.statusCode).toBe(503);
      expect(body.status).toBe('degraded');
      expect(body.onnx_provider).toMatchObject({ requested: 'cuda', active: null, status: 'degraded' });
      expect(body.reasons.map((r: { code: string }) => r.code)).toContain('onnx_provider_unavailable');
    }
  });
});
