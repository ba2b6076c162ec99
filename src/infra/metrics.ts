import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics on prom-client, one registry per service (no global registry, so tests
 * and several services in one process never share counters). The registry carries the
 * library's process and Node metrics (CPU, memory, handles, GC, event-loop lag and its
 * percentiles) plus the service's own: counters, gauges and histograms declared by name.
 */
type Labels = Record<string, string>;

/** Seconds: from a fast status poll to a slow upload. */
export const HTTP_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds: from beat analysis of a short clip to separation of a long song on a CPU. */
export const STAGE_BUCKETS_S = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

export class Metrics {
  readonly registry = new Registry();
  private readonly collectors: (() => Promise<void>)[] = [];

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  counter(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
  ): (labels?: Labels, by?: number) => void {
    const c = new Counter({ name, help, labelNames, registers: [this.registry] });
    return (labels = {}, by = 1) => c.inc(labels, by);
  }

  gauge(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
  ): (value: number, labels?: Labels) => void {
    const g = new Gauge({ name, help, labelNames, registers: [this.registry] });
    return (value, labels = {}) => g.set(labels, value);
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): (value: number, labels?: Labels) => void {
    const h = new Histogram({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
    return (value, labels = {}) => h.observe(labels, value);
  }

  /** Runs before each scrape (e.g. to read queue lengths). */
  onCollect(fn: () => Promise<void>): void {
    this.collectors.push(fn);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((c) => c()));
    return this.registry.metrics();
  }
}
