import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { MODELS, pullModel } from '../engines/models.js';
import { derivedModelPath } from '../engines/separation/htdemucs-load.js';
import { pullWhisperModel, WHISPER_SIZES } from '../engines/transcription/whisper.js';
import { createLogger } from '../infra/logger.js';
import { formatModelTable, modelRows } from './model-table.js';

/** `karaoke models pull <name>` / `karaoke models list`: fetch models ahead of the first job. */
const WHISPER_NAMES = WHISPER_SIZES.map((s) => `whisper-${s}`);
const ALL_NAMES = [...Object.keys(MODELS), ...WHISPER_NAMES];

export function modelsCommand(program: Command): void {
  const models = program.command('models').description('Manage model files in MODELS_DIR');
  models
    .command('list')
    .description('Models this build knows: installed or not, size, licence, where found')
    .option('--json', 'print the table as JSON')
    .action(async (flags: { json?: boolean }) => {
      const rows = await modelRows(loadConfig());
      process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatModelTable(rows)}\n`);
    });
  models
    .command('pull <name>')
    .description(`Download a model into MODELS_DIR (${ALL_NAMES.join(', ')})`)
    .option('--verbose', 'log download details to stderr')
    .action(async (name: string, flags: { verbose?: boolean }) => {
      if (!ALL_NAMES.includes(name))
        throw new Error(`unknown model "${name}"; use one of: ${ALL_NAMES.join(', ')}`);
      const config = loadConfig();
      // Logs only when asked for: the command's own lines say what happens, in order.
      const log = createLogger(flags.verbose ? config.logLevel : 'warn', {
        pretty: process.stderr.isTTY === true,
        destination: 2,
      });
      process.stderr.write(`karaoke: fetching ${name} into ${config.modelsDir}…\n`);
      if (WHISPER_NAMES.includes(name)) {
        const r = await pullWhisperModel(name, config, log);
        process.stdout.write(`${r.modelId} ready in ${r.dir}\n`);
        return;
      }
      const loc = await pullModel(name, config, log);
      process.stdout.write(`${name} ready at ${loc.path} (${loc.origin})\n`);
      if (name === 'htdemucs') {
        // The copies the engine runs (int8 weights, fused or chunked attention, the split parts, as
        // configured) are written here, at install, rather than on the first job.
        const derived = await derivedModelPath(loc.path, config, MODELS.htdemucs.sha256, log);
        if (derived !== loc.path) process.stdout.write(`${name} as configured ready at ${derived}\n`);
      }
    });
}
