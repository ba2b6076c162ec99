import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { MODELS, pullModel } from '../engines/models.js';
import { pullWhisperModel, WHISPER_SIZES } from '../engines/transcription/whisper.js';
import { createLogger } from '../infra/logger.js';

/** `karaoke models pull <name>` / `karaoke models list`: fetch models ahead of the first job. */
const WHISPER_NAMES = WHISPER_SIZES.map((s) => `whisper-${s}`);
const ALL_NAMES = [...Object.keys(MODELS), ...WHISPER_NAMES];

export function modelsCommand(program: Command): void {
  const models = program.command('models').description('Manage model files in MODELS_DIR');
  models
    .command('list')
    .description('Models this build knows')
    .action(() => {
      process.stdout.write(`${ALL_NAMES.join('\n')}\n`);
    });
  models
    .command('pull <name>')
    .description(`Download a model into MODELS_DIR (${ALL_NAMES.join(', ')})`)
    .action(async (name: string) => {
      const config = loadConfig();
      const log = createLogger(config.logLevel, { destination: 2 });
      if (WHISPER_NAMES.includes(name)) {
        const r = await pullWhisperModel(name, config, log);
        process.stdout.write(`${r.modelId} ready in ${r.dir}\n`);
        return;
      }
      if (name in MODELS) {
        const loc = await pullModel(name, config, log);
        process.stdout.write(`${name} ready at ${loc.path} (${loc.origin})\n`);
        return;
      }
      throw new Error(`unknown model "${name}"; use one of: ${ALL_NAMES.join(', ')}`);
    });
}
