import type { JobRecord } from '../domain/job.js';

/** A one-line progress bar on a terminal; plain lines on change otherwise (or nothing when quiet). */
const WIDTH = 24;

export class ProgressLine {
  private last = '';
  private lastKey = '';
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {
    this.tty = stream.isTTY === true;
  }

  update(job: JobRecord): void {
    if (!this.enabled) return;
    const filled = Math.round((job.progress / 100) * WIDTH);
    const stages = job.options.stages
      .map((s) => {
        const st = job.stages[s];
        if (st.status !== 'running') return `${s} ${st.status}`;
        return `${s} ${Math.round(st.progress)}%${st.message ? ` (${st.message})` : ''}`;
      })
      .join(' · ');
    // Before any stage runs, say what the job is doing (decoding can take a while on a busy machine).
    const step = job.current_step === 'decoding' ? 'decoding…  ' : '';
    const line = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${job.progress.toFixed(0).padStart(3)}%  ${step}${stages}`;
    if (line === this.last) return;
    this.last = line;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${line}`);
      return;
    }
    // Not a terminal: one line per change of a step or a stage's status or message, not per percent.
    const key = [
      job.current_step,
      ...job.options.stages.map((s) => `${job.stages[s].status}:${job.stages[s].message ?? ''}`),
    ].join(',');
    if (key !== this.lastKey) this.stream.write(`${line}\n`);
    this.lastKey = key;
  }

  done(): void {
    if (this.enabled && this.tty && this.last) this.stream.write('\n');
    this.last = '';
  }
}
