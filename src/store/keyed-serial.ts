/**
 * Runs async work one at a time per key (e.g. per job), in call order; different keys run
 * concurrently. A failure of one call does not stop the calls queued after it.
 */
export class KeyedSerial {
  private readonly chains = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }

  /** Resolves when everything queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }
}
