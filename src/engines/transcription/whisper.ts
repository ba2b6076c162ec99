import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config.js';
import type { EngineInfo } from '../../domain/stage.js';
import { UnavailableError } from '../../errors.js';
import type { Recognition, RecognizeOptions, Recognizer, RecognizerProvider } from './recognizer.js';

/**
 * Whisper with word timestamps (cross-attention DTW) through @huggingface/transformers,
 * using the ONNX exports `onnx-community/whisper-<size>_timestamped`, which carry the
 * alignment heads that `return_timestamps: 'word'` needs.
 *
 * Models live in MODELS_DIR: a model directory placed at MODELS_DIR/<org>/<name> is used
 * as is; otherwise the files are downloaded from the Hugging Face hub on first use and
 * cached under MODELS_DIR, unless OFFLINE=1.
 */
export const WHISPER_SIZES = ['tiny', 'base', 'small', 'medium', 'large-v3-turbo'] as const;
/** 30 s windows are known to break Whisper's word times at the window end; stay below. */
export const WHISPER_CHUNK_S = 29;
export const WHISPER_SAMPLE_RATE = 16000;
const TRANSFORMERS_VERSION = '4.x';

export function whisperModelId(model: string): string {
  if (model.includes('/')) return model;
  if (!(WHISPER_SIZES as readonly string[]).includes(model)) {
    throw new UnavailableError(
      `unknown Whisper model "${model}" (expected ${WHISPER_SIZES.join(', ')} or org/name)`,
    );
  }
  return `onnx-community/whisper-${model}_timestamped`;
}

/** What we use of a transformers.js ASR pipeline (typed narrowly on purpose). */
interface AsrChunk {
  text: string;
  timestamp: [number, number | null];
}
interface AsrOutput {
  text: string;
  chunks?: AsrChunk[];
}
type AsrPipeline = ((
  audio: Float32Array,
  opts: Record<string, unknown>,
) => Promise<AsrOutput | AsrOutput[]>) & {
  dispose?: () => Promise<void>;
};

interface ProgressInfo {
  status: string;
  file?: string;
  progress?: number;
}

async function loadPipeline(modelId: string, config: AppConfig, log: Logger): Promise<AsrPipeline> {
  const tf = await import('@huggingface/transformers');
  // transformers.js keeps these in a module-global env; we set them on every load from our config.
  tf.env.cacheDir = config.modelsDir;
  tf.env.localModelPath = config.modelsDir;
  tf.env.allowLocalModels = true;
  tf.env.allowRemoteModels = !config.offline;
  await fs.mkdir(config.modelsDir, { recursive: true });
  let lastLogged = -1;
  try {
    const pipe = await tf.pipeline('automatic-speech-recognition', modelId, {
      device: 'cpu',
      progress_callback: (p: ProgressInfo) => {
        if (p.status === 'progress_total' && typeof p.progress === 'number') {
          const pct = Math.floor(p.progress / 10) * 10;
          if (pct > lastLogged) {
            lastLogged = pct;
            log.info({ model: modelId, progress: pct }, 'loading Whisper model');
          }
        }
      },
    });
    return pipe as unknown as AsrPipeline;
  } catch (err) {
    throw new UnavailableError(unavailableReason(modelId, config, err), { cause: err });
  }
}

/** A clear, user-facing reason for a model that cannot be loaded. */
export function unavailableReason(modelId: string, config: AppConfig, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  const pull = `karaoke models pull whisper-${modelId.replace(/^onnx-community\/whisper-|_timestamped$/g, '')}`;
  if (config.offline || /allowRemoteModels=false|local_files_only/.test(msg)) {
    return `Whisper model ${modelId} is not in MODELS_DIR (${config.modelsDir}) and OFFLINE=1 forbids downloading it; run \`${pull}\` on a machine with internet or copy the model there`;
  }
  if (name === 'ModelFileNotFoundError' || /\b404\b|not found/i.test(msg)) {
    return `Whisper model ${modelId} was not found locally or on the Hugging Face hub (${msg})`;
  }
  if (/fetch failed|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network|socket/i.test(msg)) {
    return `Whisper model ${modelId} could not be downloaded (network: ${msg}); run \`${pull}\` when online or set OFFLINE=1 with the model in MODELS_DIR`;
  }
  return `Whisper model ${modelId} could not be loaded: ${msg}`;
}

class WhisperRecognizer implements Recognizer {
  readonly info: EngineInfo;
  constructor(
    private readonly pipe: AsrPipeline,
    modelId: string,
  ) {
    this.info = {
      name: `whisper:${modelId}`,
      version: `transformers.js ${TRANSFORMERS_VERSION}`,
      quality: 'model' as const,
      license: 'MIT',
    };
  }

  async recognize(audio16k: Float32Array, opts: RecognizeOptions): Promise<Recognition> {
    const language = opts.language ?? null;
    const out = await this.pipe(audio16k, {
      return_timestamps: 'word',
      chunk_length_s: WHISPER_CHUNK_S,
      stride_length_s: 5,
      task: 'transcribe',
      // transformers.js cannot yet detect the language and falls back to English.
      ...(language ? { language } : {}),
    });
    const first = Array.isArray(out) ? out[0] : out;
    const dur = audio16k.length / WHISPER_SAMPLE_RATE;
    const words = (first?.chunks ?? [])
      .map((c) => {
        const start = c.timestamp[0];
        const end = c.timestamp[1] ?? Math.min(dur, start + 0.3);
        return { word: c.text.trim(), start, end };
      })
      .filter((w) => w.word !== '' && Number.isFinite(w.start));
    return { language: language ?? 'en', words };
  }
}

/** Loads each Whisper model once per provider (the provider lives in the stage factory, not in a global). */
export function createWhisperProvider(config: AppConfig, log: Logger): RecognizerProvider {
  const loaded = new Map<string, Promise<Recognizer>>();
  return {
    get(model: string): Promise<Recognizer> {
      const modelId = whisperModelId(model);
      let p = loaded.get(modelId);
      if (!p) {
        p = loadPipeline(modelId, config, log).then((pipe) => new WhisperRecognizer(pipe, modelId));
        // A failed load is not cached: the model may be pulled meanwhile.
        void p.catch(() => loaded.delete(modelId));
        loaded.set(modelId, p);
      }
      return p;
    },
  };
}

/**
 * `karaoke models pull whisper-<size>`: downloads (or verifies the local copy of) a Whisper
 * model into MODELS_DIR. Throws UnavailableError with the reason when that is impossible.
 */
export async function pullWhisperModel(
  size: string,
  config: AppConfig,
  log: Logger,
): Promise<{ modelId: string; dir: string }> {
  const modelId = whisperModelId(size.replace(/^whisper-/, ''));
  log.info({ model: modelId, modelsDir: config.modelsDir }, 'pulling Whisper model');
  const pipe = await loadPipeline(modelId, config, log);
  await pipe.dispose?.();
  log.info({ model: modelId }, 'Whisper model ready');
  return { modelId, dir: config.modelsDir };
}
