/**
 * @file The only reader of process.env. Parsed once at start, frozen, passed down.
 * A bad value stops start-up with one error listing every bad key.
 */

import os from 'node:os';
import path from 'node:path';
import { apiKeyProblems, parseSecurityConfig, type SecurityConfig } from './config-security.js';
import { AUDIO_FORMATS_TEXT, parseAudioFormat, type AudioFormat } from './infra/audio-formats.js';
import { separationEngineChoices, type SeparationEngineChoice } from './engines/separation/engines.js';
import { DEFAULT_OVERLAP } from './engines/separation/segments.js';
import { WHISPER_SIZES } from './engines/transcription/whisper.js';

export type { SeparationEngineChoice } from './engines/separation/engines.js';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type OnnxProvider = 'cpu' | 'cuda';

export interface RedisConfig {
  url: string;
}

export interface AppConfig {
  host: string;
  port: number;
  storageDir: string;
  modelsDir: string;
  offline: boolean;
  redis: RedisConfig | undefined;
  maxFileSize: number;
  allowedExtensions: readonly string[];
  maxDurationS: number;
  whisperModel: string;
  demucsModel: string;
  separationEngine: SeparationEngineChoice;
  demucsShifts: number;
  /** Share of a segment that neighbouring segments overlap (`DEMUCS_OVERLAP`, demucs' `--overlap`). */
  demucsOverlap: number;
  onnxThreads: number;
  onnxProvider: OnnxProvider;
  /** onnxruntime's intra-op threads busy-wait between ops: off by default (shared machines). */
  onnxSpinning: boolean;
  /** onnxruntime's CPU memory arena (keeps the largest run's intermediates resident). */
  onnxArena: boolean;
  /** Writes/reads the graph-optimised model in MODELS_DIR so start-up does not redo the optimiser. */
  onnxCacheOptimized: boolean;
  /** int8 dynamic quantization of htdemucs' MatMul/Gemm weights (`DEMUCS_QUANTIZE=int8`). */
  demucsQuantize: 'off' | 'int8';
  /**
   * htdemucs' attention computed in this many query slices (`DEMUCS_ATTENTION_CHUNKS`; 0 or 1: the
   * graph as exported). An exact rewrite that bounds the score matrices' memory.
   */
  demucsAttentionChunks: number;
  /**
   * htdemucs' attention as onnxruntime's fused `MultiHeadAttention` (`DEMUCS_FUSED_ATTENTION`):
   * a graph rewrite exact to float rounding that never materialises the score matrices
   * (engines/separation/fuse-attention.ts). Takes precedence over `DEMUCS_ATTENTION_CHUNKS`.
   */
  demucsFusedAttention: boolean;
  /**
   * htdemucs run as consecutive sessions cut at these module boundaries (`DEMUCS_SPLIT`, `coarse` by
   * default; `off`: one session), so each part's intermediates are freed when it ends
   * (engines/separation/split-model.ts): half the peak memory, bit-identical stems.
   */
  demucsSplit: 'off' | 'coarse' | 'modules' | 'outer' | 'fine';
  /**
   * malloc's mmap threshold while the model runs (`MALLOC_MMAP_THRESHOLD`, bytes; 0 leaves glibc's
   * sliding default): blocks above it are mapped on their own and returned when freed
   * (infra/malloc.ts), so the model's freed intermediates do not stay in the process.
   */
  mallocMmapThreshold: number;
  /**
   * malloc's trim threshold and top pad while the model runs (`MALLOC_TRIM_THRESHOLD`,
   * `MALLOC_TOP_PAD`, bytes; 0 leaves glibc's): free memory at a heap's top kept up to this much
   * instead of being returned and faulted in again on the next segment (infra/malloc.ts). 256 MiB /
   * 64 MiB by default: on the 3-minute song a quarter fewer page faults and 13 % less CPU, for a
   * peak RSS of 1.56 instead of 1.41 GiB (BENCHMARKS.md, "malloc's trim threshold by default").
   */
  mallocTrimThreshold: number;
  mallocTopPad: number;
  audioSampleRate: number;
  /** Stems' file format (infra/audio-formats.ts); a job's `stem_format` overrides it. */
  stemFormat: AudioFormat;
  /** Default beats source (BEATS_SOURCE): the mixture, or the separated drums stem when separation runs. */
  beatsSource: 'mix' | 'drums';
  maxConcurrentJobs: number;
  jobTimeoutS: number;
  cleanupIntervalS: number;
  jobTtlS: number;
  apiKeys: readonly string[];
  corsOrigins: readonly string[];
  rateLimitPerMinute: number;
  logLevel: LogLevel;
  minFreeDiskMb: number;
  /** Directories of PATH, where system binaries (ffmpeg, ffprobe) are looked for. */
  searchPath: readonly string[];
  /** Decode uploads with the 2018 ffmpeg inside @ffmpeg-installer when no system ffmpeg exists. */
  allowBundledFfmpeg: boolean;
  /** Keys, signed URLs, proxies, webhooks, intake limits: see config-security.ts. */
  security: SecurityConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN_EXTENSIONS = ['mp3', 'wav', 'm4a', 'flac', 'ogg', 'opus'];
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  const str = (key: string, def: string): string => {
    const v = env[key];
    return v === undefined || v === '' ? def : v.trim();
  };
  const int = (key: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    const v = Number(raw.trim());
    if (!Number.isInteger(v) || v < min || v > max) {
      problems.push(`${key}=${JSON.stringify(raw)}: expected an integer in [${min}, ${max}]`);
      return def;
    }
    return v;
  };
  const num = (key: string, def: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    const t = raw.trim();
    const v = /^\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
    if (!(v >= min && v <= max)) {
      problems.push(`${key}=${JSON.stringify(raw)}: expected a number in [${min}, ${max}]`);
      return def;
    }
    return v;
  };
  const bool = (key: string, def: boolean): boolean => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    problems.push(`${key}=${JSON.stringify(raw)}: expected true/false or 1/0`);
    return def;
  };
  const oneOf = <T extends string>(key: string, def: T, allowed: readonly T[]): T => {
    const v = str(key, def);
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${key}=${JSON.stringify(v)}: expected one of ${allowed.join(', ')}`);
      return def;
    }
    return v as T;
  };
  const audioFormat = (key: string, def: AudioFormat): AudioFormat => {
    const v = str(key, def);
    const f = parseAudioFormat(v);
    if (!f) problems.push(`${key}=${JSON.stringify(v)}: expected one of ${AUDIO_FORMATS_TEXT}`);
    return f ?? def;
  };
  const list = (key: string, def: string[]): string[] => {
    const raw = env[key];
    if (raw === undefined || raw.trim() === '') return def;
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  };
  const keyList = (key: string): string[] => {
    const keys = list(key, []);
    problems.push(...apiKeyProblems(key, keys));
    return keys;
  };
  const size = (key: string, defBytes: number, min = 1): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return defBytes;
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$/i.exec(raw);
    if (!m) {
      problems.push(`${key}=${JSON.stringify(raw)}: expected a size in bytes, e.g. 104857600 or 100MB`);
      return defBytes;
    }
    const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
    const v = Math.floor(Number(m[1]) * mult);
    if (v < min) problems.push(`${key}: must be positive`);
    return v;
  };

  const allowedExtensions = list('ALLOWED_EXTENSIONS', ['mp3', 'wav', 'm4a', 'flac', 'ogg', 'opus']).map(
    (e) => e.replace(/^\./, '').toLowerCase(),
  );
  for (const e of allowedExtensions) {
    if (!KNOWN_EXTENSIONS.includes(e))
      problems.push(`ALLOWED_EXTENSIONS: "${e}" is not a supported format (${KNOWN_EXTENSIONS.join(', ')})`);
  }

  const whisperModel = str('WHISPER_MODEL', 'base');
  if (!(WHISPER_SIZES as readonly string[]).includes(whisperModel) && !whisperModel.includes('/')) {
    problems.push(
      `WHISPER_MODEL=${JSON.stringify(whisperModel)}: expected ${WHISPER_SIZES.join(', ')} or a model id like org/name`,
    );
  }

  const port = int('PORT', 8000, 0, 65535);
  const redis = redisConfig(env, problems, int);
  const corsOrigins = list('CORS_ORIGINS', []);
  for (const o of corsOrigins) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o))
      problems.push(`CORS_ORIGINS: "${o}" is not an origin like https://example.com`);
  }

  const config: AppConfig = {
    host: str('HOST', '0.0.0.0'),
    port,
    storageDir: path.resolve(cwd, str('STORAGE_DIR', 'storage')),
    modelsDir: path.resolve(cwd, str('MODELS_DIR', 'models')),
    offline: bool('OFFLINE', false),
    redis,
    maxFileSize: size('MAX_FILE_SIZE', 100 * 1024 * 1024),
    allowedExtensions,
    maxDurationS: int('MAX_DURATION_S', 900, 1),
    whisperModel,
    demucsModel: str('DEMUCS_MODEL', 'htdemucs'),
    separationEngine: oneOf<SeparationEngineChoice>('SEPARATION_ENGINE', 'auto', separationEngineChoices),
    demucsShifts: int('DEMUCS_SHIFTS', 0, 0, 10),
    demucsOverlap: num('DEMUCS_OVERLAP', DEFAULT_OVERLAP, 0, 0.5),
    onnxThreads: int('ONNX_THREADS', Math.max(1, os.availableParallelism()), 1, 256),
    onnxProvider: oneOf<OnnxProvider>('ONNX_PROVIDER', 'cpu', ['cpu', 'cuda']),
    onnxSpinning: bool('ONNX_SPINNING', false),
    onnxArena: bool('ONNX_ARENA', false),
    onnxCacheOptimized: bool('ONNX_CACHE_OPTIMIZED', true),
    demucsQuantize: oneOf<'off' | 'int8'>('DEMUCS_QUANTIZE', 'off', ['off', 'int8']),
    demucsAttentionChunks: int('DEMUCS_ATTENTION_CHUNKS', 0, 0, 64),
    demucsFusedAttention: bool('DEMUCS_FUSED_ATTENTION', true),
    demucsSplit: oneOf<AppConfig['demucsSplit']>('DEMUCS_SPLIT', 'coarse', [
      'off',
      'coarse',
      'modules',
      'outer',
      'fine',
    ]),
    mallocMmapThreshold: size('MALLOC_MMAP_THRESHOLD', 4 * 1024 * 1024, 0),
    mallocTrimThreshold: size('MALLOC_TRIM_THRESHOLD', 256 * 1024 * 1024, 0),
    mallocTopPad: size('MALLOC_TOP_PAD', 64 * 1024 * 1024, 0),
    audioSampleRate: int('AUDIO_SAMPLE_RATE', 44100, 8000, 192000),
    stemFormat: audioFormat('STEM_FORMAT', 'wav'),
    beatsSource: oneOf<'mix' | 'drums'>('BEATS_SOURCE', 'mix', ['mix', 'drums']),
    maxConcurrentJobs: int('MAX_CONCURRENT_JOBS', 1, 1, 64),
    jobTimeoutS: int('JOB_TIMEOUT', 3600, 1),
    cleanupIntervalS: int('CLEANUP_INTERVAL', 3600, 1),
    jobTtlS: int('JOB_TTL', 7 * 24 * 3600, 1),
    apiKeys: keyList('API_KEYS'),
    corsOrigins,
    rateLimitPerMinute: int('RATE_LIMIT', 300, 0),
    logLevel: oneOf<LogLevel>('LOG_LEVEL', 'info', LOG_LEVELS),
    minFreeDiskMb: int('MIN_FREE_DISK_MB', 500, 0),
    searchPath: (env.PATH ?? '').split(path.delimiter).filter(Boolean),
    allowBundledFfmpeg: bool('ALLOW_BUNDLED_FFMPEG', false),
    security: parseSecurityConfig(env, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

function redisConfig(
  env: Env,
  problems: string[],
  int: (key: string, def: number, min: number, max?: number) => number,
): RedisConfig | undefined {
  const url = env.REDIS_URL?.trim();
  if (url) {
    if (!/^rediss?:\/\//.test(url))
      problems.push(`REDIS_URL=${JSON.stringify(url)}: expected redis://host:port[/db]`);
    return { url };
  }
  const host = env.REDIS_HOST?.trim();
  if (!host) return undefined;
  const port = int('REDIS_PORT', 6379, 1, 65535);
  const db = int('REDIS_DB', 0, 0, 15);
  return { url: `redis://${host}:${port}/${db}` };
}

/** A config for tests: defaults plus overrides; of process.env only PATH is read (to find ffmpeg). */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return Object.freeze({ ...loadConfig({ PATH: process.env.PATH }), ...overrides });
}
