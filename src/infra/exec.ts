/**
 * @file The one subprocess wrapper: argv array (no shell), timeout, abort signal, bounded output
 * capture, and the stderr tail in the error message.
 */

import { spawn } from 'node:child_process';

export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Max bytes of stdout kept in memory (default 64 MiB). */
  maxStdout?: number;
  input?: Buffer;
  /** Working directory of the child (e.g. so a filter can name a file without escaping its path). */
  cwd?: string;
  /** Each chunk of stderr as it arrives (e.g. ffmpeg's progress lines). */
  onStderr?: (chunk: string) => void;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

export class ExecError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly stderrTail: string,
    readonly reason: 'exit' | 'timeout' | 'aborted' | 'spawn' = 'exit',
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

const STDERR_TAIL = 4000;

export function exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const maxStdout = opts.maxStdout ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new ExecError(`${cmd} aborted`, null, '', 'aborted'));
      return;
    }
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    if (!opts.input) child.stdin.end();
    const out: Buffer[] = [];
    let outBytes = 0;
    let overflow = false;
    let stderr = '';
    let reason: ExecError['reason'] = 'exit';
    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > maxStdout) {
        overflow = true;
        child.kill('SIGKILL');
      } else out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      stderr = (stderr + text).slice(-STDERR_TAIL);
      opts.onStderr?.(text);
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          reason = 'timeout';
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    const onAbort = () => {
      reason = 'aborted';
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.input) {
      child.stdin.on('error', () => undefined); // the child may exit before reading everything
      child.stdin.end(opts.input);
    }
    child.on('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new ExecError(`cannot run ${cmd}: ${err.message}`, null, '', 'spawn'));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (overflow)
        return reject(new ExecError(`${cmd} produced more than ${maxStdout} bytes`, code, stderr.trim()));
      if (reason !== 'exit' || code !== 0) {
        const what =
          reason === 'timeout'
            ? 'timed out'
            : reason === 'aborted'
              ? 'was aborted'
              : `exited with code ${code}`;
        return reject(
          new ExecError(
            `${cmd} ${what}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
            code,
            stderr.trim(),
            reason,
          ),
        );
      }
      resolve({ stdout: Buffer.concat(out), stderr, code: code ?? 0 });
    });
  });
}
