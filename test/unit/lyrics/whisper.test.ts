import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { UnavailableError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/infra/logger.js';
import {
  createWhisperProvider,
  pullWhisperModel,
  unavailableReason,
  whisperModelId,
} from '../../../src/engines/transcription/whisper.js';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'whisper-missing-'));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe('Whisper engine', () => {
  it('maps sizes to the timestamped ONNX exports', () => {
    expect(whisperModelId('base')).toBe('onnx-community/whisper-base_timestamped');
    expect(whisperModelId('large-v3-turbo')).toBe('onnx-community/whisper-large-v3-turbo_timestamped');
    expect(whisperModelId('me/my-whisper')).toBe('me/my-whisper');
    expect(() => whisperModelId('huge')).toThrow(UnavailableError);
  });

  it('is unavailable, with the reason, when OFFLINE=1 and the model is not in MODELS_DIR (real loader)', async () => {
    const config = testConfig({ offline: true, modelsDir: tmp });
    const provider = createWhisperProvider(config, silentLogger());
    const err = await provider.get('base').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/OFFLINE=1/);
    expect((err as Error).message).toContain(tmp);
    expect((err as Error).message).toContain('karaoke models pull whisper-base');
    await expect(pullWhisperModel('whisper-tiny', config, silentLogger())).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('explains network failures and missing models', () => {
    const online = testConfig({ offline: false, modelsDir: tmp });
    expect(
      unavailableReason('onnx-community/whisper-base_timestamped', online, new TypeError('fetch failed')),
    ).toMatch(/network/);
    const nf = Object.assign(new Error('Could not locate file'), { name: 'ModelFileNotFoundError' });
    expect(unavailableReason('x/y', online, nf)).toMatch(/not found/);
  });
});
