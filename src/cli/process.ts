import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, ConfigError } from '../config.js';
import { createServices } from '../container.js';
import type { JobRecord } from '../domain/job.js';
import { isTerminalJob } from '../domain/job.js';
import { AppError, InputError } from '../errors.js';
import { intakeFile } from '../ingest/intake.js';
import { parseJobOptions } from '../ingest/options.js';
import { createLogger } from '../infra/logger.js';
import { defaultStageHandlers } from '../stages/index.js';
import { jobPaths } from '../storage/paths.js';
import { ProgressLine } from './progress.js';

/**
 * `karaoke process <audio> --out <dir>`: the same pipeline as the service, in-process, no
 * server. The job runs in a scratch store inside <dir>; its files are then moved to <dir>,
 * laid out exactly like a job directory. Exit 0 = completed or partial, 1 = failed, 2 = bad input.
 */
interface ProcessFlags {
  out: string;
  lyrics?: string;
  stages?: string;
  language?: string;
  separationEngine?: string;
  whisperModel?: string;
  json?: boolean;
  verbose?: boolean;
}

export function processCommand(program: Command): void {
  program
    .command('process <audio>')
    .description('Process one song into --out (stems/, transcription/, beat_analysis/, report.json)')
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option(
      '--lyrics <file>',
      'known lyrics (plain text, one line per lyric line): aligned instead of transcribed',
    )
    .option('--stages <list>', 'comma-separated: separation,transcription,beats (default: all)')
    .option('--language <code>', 'language of the lyrics (default: detect)')
    .option('--separation-engine <engine>', 'auto | htdemucs | dsp')
    .option('--whisper-model <size>', 'tiny | base | small | medium | large-v3-turbo')
    .option('--json', 'print a JSON summary on stdout')
    .option('--verbose', 'log progress details to stderr')
    .action(async (audio: string, flags: ProcessFlags) => {
      process.exitCode = await runProcess(audio, flags);
    });
}

export async function runProcess(audio: string, flags: ProcessFlags): Promise<number> {
  const fail = (code: number, message: string) => {
    if (flags.json) process.stdout.write(`${JSON.stringify({ status: 'rejected', error: message })}\n`);
    process.stderr.write(`karaoke: ${message}\n`);
    return code;
  };
  const out = path.resolve(flags.out);
  let config;
  try {
    const base = loadConfig();
    config = Object.freeze({
      ...base,
      redis: undefined,
      storageDir: path.join(out, `.karaoke-work-${process.pid}`),
      minFreeDiskMb: 0,
    });
  } catch (err) {
    if (err instanceof ConfigError) return fail(2, err.message);
    throw err;
  }
  const st = await fs.stat(audio).catch(() => undefined);
  if (!st?.isFile()) return fail(2, `no such file: ${audio}`);
  let lyrics: string | undefined;
  if (flags.lyrics) {
    lyrics = await fs.readFile(flags.lyrics, 'utf8').catch(() => undefined);
    if (lyrics === undefined) return fail(2, `cannot read lyrics file: ${flags.lyrics}`);
  }
  const log = createLogger(flags.verbose ? 'info' : 'warn', {
    pretty: process.stderr.isTTY === true,
    destination: 2,
  });
  await fs.mkdir(out, { recursive: true });
  const stages = defaultStageHandlers(log);
  const services = await createServices(config, log, {
    handlers: stages.handlers,
    closeHandlers: stages.close,
    durable: false,
  });
  services.pipeline.startWorkers();
  const bar = new ProgressLine(process.stderr, !flags.json || process.stderr.isTTY === true);
  let job: JobRecord;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    if (job) void services.pipeline.cancel(job.id);
  };
  process.once('SIGINT', onSigint);
  try {
    const parsed = parseJobOptions({
      stages: flags.stages,
      lyrics,
      language: flags.language,
      whisper_model: flags.whisperModel,
      separation_engine: flags.separationEngine,
    });
    job = await intakeFile(services, {
      file: audio,
      filename: path.basename(audio),
      options: parsed.options,
      warnings: parsed.warnings,
      move: false,
    });
    const final = await waitForEnd(services.backends.store, job.id, (j) => bar.update(j));
    bar.done();
    const jobDir = jobPaths(config.storageDir, final.id).dir;
    await moveResults(jobDir, out);
    const summary = cliSummary(final, out);
    if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else printHuman(summary);
    if (interrupted) return 130;
    return final.status === 'completed' || final.status === 'partial' ? 0 : 1;
  } catch (err) {
    bar.done();
    if (err instanceof InputError) return fail(2, err.message);
    if (err instanceof AppError) return fail(1, err.message);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    await services.close({ abort: true });
    await fs.rm(config.storageDir, { recursive: true, force: true });
  }
}

function waitForEnd(
  store: {
    get(id: string): Promise<JobRecord | undefined>;
    subscribe(id: string, l: (j: JobRecord) => void): () => void;
  },
  id: string,
  onChange: (j: JobRecord) => void,
): Promise<JobRecord> {
  return new Promise((resolve, reject) => {
    const unsubscribe = store.subscribe(id, (j) => {
      onChange(j);
      if (isTerminalJob(j.status)) {
        unsubscribe();
        resolve(j);
      }
    });
    store.get(id).then((j) => {
      if (!j) reject(new Error('job vanished'));
      else if (isTerminalJob(j.status)) {
        unsubscribe();
        resolve(j);
      }
    }, reject);
  });
}

/** Move the job directory's results into <out>, replacing files of a previous run. */
async function moveResults(jobDir: string, out: string): Promise<void> {
  for (const name of await fs.readdir(jobDir)) {
    if (name === 'job.json' || name === 'work' || name.startsWith('original.')) continue;
    const target = path.join(out, name);
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(path.join(jobDir, name), target);
  }
}

function cliSummary(job: JobRecord, out: string) {
  return {
    status: job.status,
    out,
    input: job.original_filename,
    duration_s: job.audio_duration,
    stages: Object.fromEntries(
      job.options.stages.map((s) => {
        const st = job.stages[s];
        return [
          s,
          {
            status: st.status,
            engine: st.engine?.name ?? null,
            quality: st.engine?.quality ?? null,
            seconds: st.duration_s ?? null,
            outputs: st.outputs,
            ...(st.error ? { error: st.error.message } : {}),
            warnings: st.warnings,
          },
        ];
      }),
    ),
    summary: job.summary,
    warnings: job.warnings,
    ...(job.error ? { error: job.error.message } : {}),
  };
}

function printHuman(s: ReturnType<typeof cliSummary>): void {
  const lines = [`${s.status.toUpperCase()}: ${s.input} (${s.duration_s.toFixed(1)} s) → ${s.out}`];
  for (const [name, st] of Object.entries(s.stages)) {
    const engine = st.engine ? ` [${st.engine}${st.quality === 'fallback' ? ', fallback' : ''}]` : '';
    const secs = st.seconds !== null ? ` ${st.seconds.toFixed(1)} s` : '';
    lines.push(`  ${name.padEnd(14)} ${st.status}${engine}${secs}${st.error ? ` — ${st.error}` : ''}`);
    for (const rel of Object.values(st.outputs)) lines.push(`      ${rel}`);
    for (const w of st.warnings) lines.push(`      note: ${w}`);
  }
  const keys = ['tempo_bpm', 'time_signature', 'beat_count', 'language', 'word_count'];
  const facts = keys
    .filter((k) => s.summary[k] !== undefined && s.summary[k] !== null)
    .map((k) => `${k}=${String(s.summary[k])}`);
  if (facts.length > 0) lines.push(`  ${facts.join('  ')}`);
  if (s.error) lines.push(`  error: ${s.error}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
