import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, ConfigError, type AppConfig } from '../config.js';
import { createServices } from '../container.js';
import type { JobRecord } from '../domain/job.js';
import { isTerminalJob } from '../domain/job.js';
import { strictUtf8 } from '../domain/utf8.js';
import { separationEngineChoices } from '../engines/separation/engines.js';
import { WHISPER_SIZES } from '../engines/transcription/whisper.js';
import { AppError, InputError } from '../errors.js';
import { intakeFile } from '../ingest/intake.js';
import { MAX_LYRICS_CHARS, parseJobOptions, type ParsedOptions } from '../ingest/options.js';
import { AUDIO_FORMATS } from '../infra/audio-formats.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { defaultStageHandlers } from '../stages/index.js';
import { moveInto } from '../storage/files.js';
import { uploadFilename } from '../http/upload-filename.js';
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
  stemFormat?: string;
  whisperModel?: string;
  input?: string;
  beatsSource?: string;
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
    .option('--separation-engine <engine>', separationEngineChoices.join(' | '))
    .option('--whisper-model <size>', WHISPER_SIZES.join(' | '))
    .option(
      '--stem-format <format>',
      `stems' file format: ${AUDIO_FORMATS.join(' | ')} (default: STEM_FORMAT, else wav)`,
    )
    .option(
      '--input <kind>',
      'mixture (default) | vocals: the file is a vocals stem, aligned without separation',
    )
    .option(
      '--beats-source <source>',
      'mix (default: BEATS_SOURCE) | drums: track beats on the separated drums + bass stems (adds separation)',
    )
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
  const outStat = await fs.stat(out).catch(() => undefined);
  if (outStat && !outStat.isDirectory())
    return fail(2, `--out must be a directory, and ${flags.out} is a file`);
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
  if (!st) return fail(2, `no such file: ${audio}`);
  if (st.isDirectory())
    return fail(2, `${audio} is a directory; give one audio file (mp3, wav, flac, m4a, ogg, opus)`);
  if (!st.isFile()) return fail(2, `${audio} is not a regular file`);
  let lyrics: string | undefined;
  if (flags.lyrics) {
    const read = await readLyricsFile(flags.lyrics);
    if (typeof read !== 'string') return fail(2, read.problem);
    lyrics = read;
  }
  let filename: string;
  try {
    // The upload's rule for the name shown (last segment, no control or bidi characters): a
    // file named `\e[2J.wav` cleared the terminal in the summary, and was stored as it was.
    filename = uploadFilename(path.basename(audio));
  } catch (err) {
    if (err instanceof InputError) return fail(2, err.message);
    throw err;
  }
  let parsed;
  try {
    parsed = parseJobOptions(
      {
        stages: flags.stages,
        lyrics,
        language: flags.language,
        whisper_model: flags.whisperModel,
        separation_engine: flags.separationEngine,
        stem_format: flags.stemFormat,
        input: flags.input,
        beats_source: flags.beatsSource,
      },
      CLI_FLAG_NAMES,
      { beatsSource: config.beatsSource },
    );
  } catch (err) {
    if (err instanceof InputError) return fail(2, err.message);
    throw err;
  }
  const log = createLogger(flags.verbose ? 'info' : 'warn', {
    pretty: process.stderr.isTTY === true,
    destination: 2,
  });
  try {
    await fs.mkdir(out, { recursive: true });
  } catch (err) {
    return fail(2, `cannot create --out ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const result = await runInOut(
    audio,
    filename,
    out,
    outStat !== undefined,
    config,
    log,
    parsed,
    flags,
    fail,
  );
  return result;
}

/** The most a `--lyrics` file may hold: the longest lyrics accepted, at 4 bytes a character. */
const MAX_LYRICS_FILE_BYTES = MAX_LYRICS_CHARS * 4;

/**
 * A `--lyrics` file: a regular file of at most MAX_LYRICS_FILE_BYTES, UTF-8 (the upload form's
 * rule for its fields). It was read whole, whatever it was: `--lyrics /dev/zero` read
 * gigabytes into memory before failing, and Latin-1 lyrics became U+FFFD without a word.
 */
async function readLyricsFile(file: string): Promise<string | { problem: string }> {
  const cannot = { problem: `cannot read the --lyrics file: ${file}` };
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return cannot;
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { problem: `the --lyrics file is not a regular file: ${file}` };
    if (st.size > MAX_LYRICS_FILE_BYTES)
      return { problem: `the --lyrics file is larger than ${MAX_LYRICS_FILE_BYTES} bytes: ${file}` };
    const bytes = await handle.readFile().catch(() => undefined);
    if (!bytes) return cannot;
    if (bytes.length > MAX_LYRICS_FILE_BYTES)
      return { problem: `the --lyrics file is larger than ${MAX_LYRICS_FILE_BYTES} bytes: ${file}` };
    return strictUtf8(bytes) ?? { problem: `the --lyrics file is not valid UTF-8: ${file}` };
  } finally {
    await handle.close();
  }
}

/** The signals that stop a run (exit 128 + the signal's number: 130, 143, 129). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The CLI's names for the option fields, so a message names the flag the user typed. */
const CLI_FLAG_NAMES = {
  stages: '--stages',
  lyrics: '--lyrics',
  language: '--language',
  whisper_model: '--whisper-model',
  separation_engine: '--separation-engine',
  stem_format: '--stem-format',
  input: '--input',
  beats_source: '--beats-source',
} as const;

async function runInOut(
  audio: string,
  filename: string,
  out: string,
  outExisted: boolean,
  config: AppConfig,
  log: Logger,
  parsed: ParsedOptions,
  flags: ProcessFlags,
  fail: (code: number, message: string) => number,
): Promise<number> {
  const note = (msg: string) => {
    if (!flags.json || process.stderr.isTTY) process.stderr.write(`karaoke: ${msg}\n`);
  };
  let services: Awaited<ReturnType<typeof createServices>> | undefined;
  let job: JobRecord | undefined;
  let interrupted: NodeJS.Signals | undefined;
  let delivered = false;
  // Ctrl-C, `kill` and a closed terminal all cancel the job and clean up: SIGTERM and SIGHUP
  // ended the process at once, leaving its scratch job (.karaoke-work-<pid>, stems and all)
  // inside --out; a signal during the probe was noted but the job then ran to its end.
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
    if (job) void services?.pipeline.cancel(job.id);
  };
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  note(`checking and decoding ${filename}…`);
  const bar = new ProgressLine(process.stderr, !flags.json || process.stderr.isTTY === true);
  try {
    const stages = defaultStageHandlers(log);
    services = await createServices(config, log, {
      handlers: stages.handlers,
      closeHandlers: stages.close,
      durable: false,
    });
    services.pipeline.startWorkers();
    job = await intakeFile(services, {
      file: audio,
      filename,
      options: parsed.options,
      warnings: parsed.warnings,
      move: false,
    });
    if (interrupted) void services.pipeline.cancel(job.id);
    const final = await waitForEnd(services.backends.store, job.id, (j) => bar.update(j));
    bar.done();
    const jobDir = jobPaths(config.storageDir, final.id).dir;
    await moveResults(jobDir, out);
    delivered = true;
    const summary = cliSummary(final, out);
    if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else printHuman(summary);
    if (interrupted) return 128 + os.constants.signals[interrupted];
    return final.status === 'completed' || final.status === 'partial' ? 0 : 1;
  } catch (err) {
    bar.done();
    if (err instanceof InputError) return fail(2, err.message);
    if (err instanceof AppError) return fail(1, err.message);
    throw err;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    await services?.close({ abort: true });
    await fs.rm(config.storageDir, { recursive: true, force: true });
    // A rejected run leaves nothing behind: not even the --out folder it made.
    if (!delivered && !outExisted) await fs.rmdir(out).catch(() => undefined);
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

/** Move the job directory's results (with original.<ext>) into <out>, replacing a previous run's. */
async function moveResults(jobDir: string, out: string): Promise<void> {
  for (const name of await fs.readdir(jobDir)) {
    if (name === 'job.json' || name === 'work') continue;
    await moveInto(path.join(jobDir, name), path.join(out, name), { replace: true });
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
