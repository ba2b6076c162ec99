import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('loadConfig', () => {
  it('has defaults that run on a laptop', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 8000,
      storageDir: '/srv/app/storage',
      maxFileSize: 100 * 1024 * 1024,
      redis: undefined,
      separationEngine: 'auto',
      whisperModel: 'base',
    });
    expect(c.allowedExtensions).toEqual(['mp3', 'wav', 'm4a', 'flac', 'ogg', 'opus']);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses sizes, lists and Redis settings', () => {
    const c = loadConfig({
      MAX_FILE_SIZE: '20MB',
      API_KEYS: 'a, b',
      REDIS_HOST: 'redis',
      REDIS_PORT: '6380',
      REDIS_DB: '2',
      OFFLINE: 'true',
    });
    expect(c.maxFileSize).toBe(20 * 1024 * 1024);
    expect(c.apiKeys).toEqual(['a', 'b']);
    expect(c.redis).toEqual({ url: 'redis://redis:6380/2' });
    expect(c.offline).toBe(true);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/0' }).redis?.url).toBe('redis://127.0.0.1:6379/0');
  });

  // Audit 5: a key with `é` matched only a client that sent it in Latin-1 (Node reads header
  // values so), never one that sent UTF-8; a space cannot be sent in a Bearer token.
  it('refuses keys that are not visible ASCII, naming the setting and never the key', () => {
    for (const [name, value] of [
      ['API_KEYS', 'good-key-0123456789, clé-0123456789'],
      ['API_KEYS', 'two words-0123456789'],
      ['ADMIN_KEY', 'admin\u00a0key-0123456789'],
      ['METRICS_KEY', 'metrics\tkey'],
    ] as const) {
      let err: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (e) {
        err = e;
      }
      expect(err, `${name}=${value}`).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain(name);
      expect(problems).toContain('visible ASCII');
      expect(problems).not.toContain('0123456789');
    }
    expect(loadConfig({ API_KEYS: 'k1-~!#$%&*+./:;=?@^_|', ADMIN_KEY: 'Admin-Key_0123' }).apiKeys).toEqual([
      'k1-~!#$%&*+./:;=?@^_|',
    ]);
  });

  it('takes the mmap threshold as a size, 0 for glibc default', () => {
    expect(loadConfig({}).mallocMmapThreshold).toBe(4 * 1024 * 1024);
    expect(loadConfig({ MALLOC_MMAP_THRESHOLD: '4MB' }).mallocMmapThreshold).toBe(4 * 1024 * 1024);
    expect(loadConfig({ MALLOC_MMAP_THRESHOLD: '0' }).mallocMmapThreshold).toBe(0);
    expect(loadConfig({})).toMatchObject({
      mallocTrimThreshold: 256 * 1024 * 1024,
      mallocTopPad: 64 * 1024 * 1024,
    });
    expect(loadConfig({ MALLOC_TRIM_THRESHOLD: '0', MALLOC_TOP_PAD: '0' })).toMatchObject({
      mallocTrimThreshold: 0,
      mallocTopPad: 0,
    });
    expect(() => loadConfig({ MALLOC_MMAP_THRESHOLD: 'lots' })).toThrow(ConfigError);
  });

  it('lists every bad key in one error', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MAX_CONCURRENT_JOBS: '0',
        SEPARATION_ENGINE: 'magic',
        OFFLINE: 'maybe',
        ALLOWED_EXTENSIONS: 'mp3,exe',
        REDIS_URL: 'http://x',
        LOG_LEVEL: 'loud',
        MAX_FILE_SIZE: 'big',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const key of [
      'PORT',
      'MAX_CONCURRENT_JOBS',
      'SEPARATION_ENGINE',
      'OFFLINE',
      'ALLOWED_EXTENSIONS',
      'REDIS_URL',
      'LOG_LEVEL',
      'MAX_FILE_SIZE',
    ]) {
      expect(problems).toContain(key);
    }
    expect((err as ConfigError).problems).toHaveLength(8);
  });
});
