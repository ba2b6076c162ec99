/**
 * @file Loaded model sessions shared between jobs.
 */

export interface Disposable {
  dispose(): Promise<void>;
}

/**
 * Loaded sessions keyed by model path and runtime options, owned by whoever creates it (the
 * separation stage keeps one): loading a model takes seconds and hundreds of MB, so jobs share
 * it. An engine whose descriptor says `exclusive` runs one song at a time through `exclusive`.
 */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<Disposable>>();
  private queue: Promise<unknown> = Promise.resolve();

  /** The session under `key`, loaded once; `key` must name the engine, so that one key means one session type. */
  async get<T extends Disposable>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.sessions.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.sessions.set(key, p);
      p.catch(() => this.sessions.delete(key));
    }
    return p;
  }

  /** Runs `fn` after every earlier `exclusive` call has settled (one song per session at a time). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) await (await p).dispose().catch(() => undefined);
  }
}
