import type { PcmAudio } from '../audio/pcm.js';
import { pcmLength } from '../audio/pcm.js';
import { encodeWav } from '../audio/wav.js';
import { FORMAT_TABLE } from '../infra/audio-formats.js';
import { encodeAudioFile, findMediaTools } from '../infra/ffmpeg.js';
import type { StageContext, StageHandler, StageOutcome } from '../domain/stage.js';
import { throwIfAborted } from '../errors.js';
import type { ModelSpec } from '../engines/models.js';
import { createSeparationEngine } from '../engines/separation/index.js';
import { SessionCache } from '../engines/session-cache.js';
import type { Stems } from '../engines/separation/types.js';
import { STEM_NAMES, type StemFile } from '../storage/paths.js';

/** The stems later stages read: transcription the vocals, variants and videos the instrumental and vocals. */
const READ_LATER: readonly StemFile[] = ['vocals', 'instrumental'];
/** With beats_source=drums the beats stage also reads these. */
const READ_BY_BEATS: readonly StemFile[] = ['drums', 'bass'];

/**
 * @file The stem-separation stage: mixture → stems/{vocals,drums,bass,other,instrumental}.wav.
 *
 * Engine choice (per job `options.separationEngine`, else SEPARATION_ENGINE), from the table in
 * engines/separation/engines.ts:
 *  - `auto`: the best engine that can run here (htdemucs when the model can be had, else the DSP
 *    fallback — the job completes and carries a warning saying the stems are a fallback and why);
 *  - an engine's name: honoured or refused: when it cannot run here the stage throws
 *    UnavailableError (never retried) with the reason, and the pipeline records it.
 * The instrumental is drums + bass + other, sample by sample.
 *
 * Files are written in the job's `stemFormat` (else STEM_FORMAT) from the format table
 * (infra/audio-formats.ts): WAV natively, FLAC/MP3/Opus by ffmpeg. For those three the vocals
 * and the instrumental (with beats_source=drums also the drums and bass) are also kept as 16-bit
 * WAV in stems/.source/ (not served), which is what transcription, variants, videos and the beats
 * stage read (storage/stems.ts), so no stage decodes a lossy stem.
 */

const LOAD_PROGRESS = 5; // % once the engine is ready and the mix decoded
const SEPARATED_PROGRESS = 95; // % when separation is done; the rest is writing files

export interface SeparationStageOptions {
  /** Model table override (tests). */
  spec?: ModelSpec;
  /** Shared model sessions; by default the stage owns one cache for its lifetime. */
  cache?: SessionCache;
}

export function createSeparationStage(opts: SeparationStageOptions = {}): StageHandler {
  const cache = opts.cache ?? new SessionCache();
  return async (ctx: StageContext): Promise<StageOutcome> => {
    throwIfAborted(ctx.signal);
    const choice = ctx.options.separationEngine ?? ctx.config.separationEngine;
    ctx.progress(0, choice === 'dsp' ? 'starting the DSP separator' : `loading ${ctx.config.demucsModel}…`);
    const { engine, descriptor, warnings } = await createSeparationEngine(ctx.config, choice, ctx.log, {
      spec: opts.spec,
      signal: ctx.signal,
      cache,
    });
    try {
      const mix = await ctx.loadMix();
      throwIfAborted(ctx.signal);
      ctx.progress(LOAD_PROGRESS, `separating with ${engine.info.name}`);
      const run = () =>
        engine.separate(mix, {
          signal: ctx.signal,
          onProgress: (f) =>
            ctx.progress(LOAD_PROGRESS + f * (SEPARATED_PROGRESS - LOAD_PROGRESS), 'separating'),
        });
      const stems = descriptor.exclusive ? await cache.exclusive(run) : await run();
      throwIfAborted(ctx.signal);
      const outputs = await writeStems(ctx, mix, stems);
      ctx.progress(100, 'stems written');
      return {
        status: 'completed',
        engine: engine.info,
        outputs,
        summary: {
          separation_engine: engine.info.name,
          separation_quality: engine.info.quality,
          stem_format: ctx.options.stemFormat ?? ctx.config.stemFormat,
        },
        warnings,
      };
    } finally {
      await engine.dispose();
    }
  };
}

async function writeStems(ctx: StageContext, mix: PcmAudio, stems: Stems): Promise<Record<string, string>> {
  const n = pcmLength(mix);
  const files: [StemFile, PcmAudio][] = STEM_NAMES.map((name) => [name, fitTo(stems[name], n)]);
  files.push(['instrumental', instrumentalOf(files.filter(([name]) => name !== 'vocals').map(([, a]) => a))]);
  const format = ctx.options.stemFormat ?? ctx.config.stemFormat;
  const row = FORMAT_TABLE[format];
  const tools = row.wav ? undefined : findMediaTools(ctx.config.searchPath);
  const keep = ctx.options.beatsSource === 'drums' ? [...READ_LATER, ...READ_BY_BEATS] : READ_LATER;
  const outputs: Record<string, string> = {};
  for (const [i, [name, audio]] of files.entries()) {
    throwIfAborted(ctx.signal);
    const file = ctx.paths.stem(name, row.ext);
    if (!tools) outputs[name] = await ctx.write(file, encodeWav(audio, row.wav));
    else {
      await encodeAudioFile(tools, audio, format, file, { signal: ctx.signal });
      outputs[name] = ctx.paths.rel(file);
      if (keep.includes(name)) await ctx.write(ctx.paths.stemSource(name), encodeWav(audio, 's16'));
    }
    ctx.progress(
      SEPARATED_PROGRESS + ((i + 1) / files.length) * (100 - SEPARATED_PROGRESS),
      `writing ${format} stems`,
    );
  }
  return outputs;
}

function instrumentalOf(parts: PcmAudio[]): PcmAudio {
  const [first] = parts;
  const channels = first.channels.map((ch, c) => {
    const sum = new Float32Array(ch.length);
    for (const p of parts) {
      const src = p.channels[c];
      for (let i = 0; i < sum.length; i++) sum[i] += src[i];
    }
    return sum;
  });
  return { sampleRate: first.sampleRate, channels };
}

/** Engines return the mixture's length; this guards the file contract if one is ever off by a sample. */
function fitTo(audio: PcmAudio, n: number): PcmAudio {
  if (pcmLength(audio) === n) return audio;
  return {
    sampleRate: audio.sampleRate,
    channels: audio.channels.map((ch) => {
      const out = new Float32Array(n);
      out.set(ch.subarray(0, Math.min(n, ch.length)));
      return out;
    }),
  };
}
