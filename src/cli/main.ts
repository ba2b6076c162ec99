import { Command, CommanderError } from 'commander';
import { appVersion } from '../container.js';
import { TASK_NAMES, QUEUE_NAMES, type TaskName } from '../queue/job-queue.js';
import { countArg, portArg } from './args.js';
import { processCommand } from './process.js';
import { modelsCommand } from './models.js';
import { doctorCommand } from './doctor.js';
import { variantCommand } from './variant.js';
import { renderCommand } from './render.js';

/** `karaoke serve | worker | process | models | variant | render`. */
const program = new Command('karaoke')
  .description('Karaoke backend: stems, word-timed lyrics and rhythm from any song')
  .version(appVersion())
  // Usage errors (a missing --out, an unknown flag) exit 2 like every other bad input.
  .exitOverride();

program
  .command('serve')
  .description('Run the HTTP API (and, with --role all, the workers)')
  .option('--role <role>', 'all | api (api needs REDIS_URL)', 'all')
  .option('--port <port>', 'port (default PORT or 8000)', portArg)
  .option('--host <host>', 'host (default HOST or 0.0.0.0)')
  .action(async (o: { role: string; port?: number; host?: string }) => {
    if (o.role !== 'all' && o.role !== 'api') usageError('--role must be all or api');
    await serve({ role: o.role, port: o.port, host: o.host });
  });

program
  .command('worker')
  .description('Run workers for some queues (distributed mode: needs REDIS_URL)')
  .option(
    '--queues <names>',
    `comma-separated: ${[...new Set(Object.values(QUEUE_NAMES))].join(', ')} (default: all)`,
  )
  .option('--concurrency <n>', 'tasks at once per queue', countArg)
  .action(async (o: { queues?: string; concurrency?: number }) => {
    await serve({ role: 'worker', tasks: tasksForQueues(o.queues), concurrency: o.concurrency });
  });

processCommand(program);
modelsCommand(program);
doctorCommand(program);
variantCommand(program);
renderCommand(program);

/** The service is loaded only when asked for, so `karaoke process` starts fast. */
async function serve(opts: Parameters<typeof import('../main.js').main>[0]): Promise<void> {
  const { main } = await import('../main.js');
  await main(opts);
}

function tasksForQueues(list: string | undefined): TaskName[] {
  if (!list) return [...TASK_NAMES];
  const wanted = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set(Object.values(QUEUE_NAMES));
  for (const q of wanted) {
    if (!known.has(q)) usageError(`unknown queue "${q}"; use ${[...known].join(', ')}`);
  }
  return TASK_NAMES.filter((t) => wanted.includes(QUEUE_NAMES[t]));
}

/**
 * A bad value found inside an action: printed like commander's own usage errors (a thrown
 * InvalidArgumentError is printed only by an option's parser; from an action it exited 2 in silence).
 */
function usageError(message: string): never {
  return program.error(`error: ${message}`, { exitCode: 2, code: 'karaoke.usage' });
}

program.parseAsync(process.argv).catch((err: unknown) => {
  // commander has already printed its message; --help and --version are not errors.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  process.stderr.write(`karaoke: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
