import type { Logger } from 'pino';
import { ShutdownError } from '../errors.js';
import type { JobQueue, QueueCounts, Task, TaskHandler, TaskName } from './job-queue.js';
import { TASK_NAMES, taskId } from './job-queue.js';

interface Lane {
  handler?: TaskHandler;
  concurrency: number;
  waiting: Task[];
  active: Map<string, AbortController>;
}

/**
 * In-process queue: one FIFO lane per task kind, each with its own concurrency limit.
 * Nothing here is durable; durability comes from the job store, which the pipeline
 * re-reads on start to re-enqueue unfinished work.
 */
export class EmbeddedQueue implements JobQueue {
  private readonly lanes = new Map<TaskName, Lane>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly log?: Logger) {
    for (const name of TASK_NAMES) this.lanes.set(name, { concurrency: 0, waiting: [], active: new Map() });
  }

  async enqueue(task: Task): Promise<void> {
    if (this.closed) return;
    const lane = this.lane(task.name);
    const id = taskId(task);
    if (lane.active.has(id) || lane.waiting.some((t) => t.jobId === task.jobId)) return;
    lane.waiting.push({ ...task });
    this.pump(lane);
  }

  work(name: TaskName, concurrency: number, handler: TaskHandler): void {
    const lane = this.lane(name);
    if (lane.handler) throw new Error(`a handler for ${name} is already registered`);
    lane.handler = handler;
    lane.concurrency = Math.max(1, concurrency);
    this.pump(lane);
  }

  async cancelJob(jobId: string): Promise<void> {
    for (const lane of this.lanes.values()) {
      lane.waiting = lane.waiting.filter((t) => t.jobId !== jobId);
      for (const [id, ctrl] of lane.active) if (id.startsWith(`${jobId}:`)) ctrl.abort();
    }
  }

  async counts(): Promise<Record<TaskName, QueueCounts>> {
    const out = {} as Record<TaskName, QueueCounts>;
    for (const [name, lane] of this.lanes)
      out[name] = { waiting: lane.waiting.length, active: lane.active.size };
    return out;
  }

  async close(opts: { abort?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      lane.waiting = [];
      if (opts.abort) for (const ctrl of lane.active.values()) ctrl.abort(new ShutdownError());
    }
    await Promise.allSettled([...this.running]);
  }

  private lane(name: TaskName): Lane {
    const lane = this.lanes.get(name);
    if (!lane) throw new Error(`unknown task ${name}`);
    return lane;
  }

  private pump(lane: Lane): void {
    const handler = lane.handler;
    if (!handler) return;
    while (!this.closed && lane.active.size < lane.concurrency && lane.waiting.length > 0) {
      const task = lane.waiting.shift() as Task;
      const ctrl = new AbortController();
      const id = taskId(task);
      lane.active.set(id, ctrl);
      const run: Promise<void> = Promise.resolve()
        .then(() => handler(task, ctrl.signal))
        .catch((err: unknown) => {
          if (ctrl.signal.reason instanceof ShutdownError) return; // resumed from the job store on the next start
          this.log?.error({ jobId: task.jobId, task: task.name, err }, 'task handler threw');
        })
        .finally(() => {
          lane.active.delete(id);
          this.running.delete(run);
          this.pump(lane);
        });
      this.running.add(run);
    }
  }
}
