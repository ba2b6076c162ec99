/**
 * @file A small Prometheus text-format registry: counters and gauges with labels.
 * Enough for /metrics without another dependency.
 */

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly collectors: (() => Promise<void>)[] = [];

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const fam = this.family(name, help, 'counter');
    return (labels = {}, by = 1) => {
      const key = labelKey(labels);
      const entry = fam.values.get(key) ?? { labels, value: 0 };
      entry.value += by;
      fam.values.set(key, entry);
    };
  }

  gauge(name: string, help: string): (value: number, labels?: Labels) => void {
    const fam = this.family(name, help, 'gauge');
    return (value, labels = {}) => {
      fam.values.set(labelKey(labels), { labels, value });
    };
  }

  /** Runs before each scrape (e.g. to read queue lengths). */
  onCollect(fn: () => Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((c) => c()));
    const lines: string[] = [];
    for (const [name, fam] of this.families) {
      lines.push(`# HELP ${name} ${fam.help}`, `# TYPE ${name} ${fam.type}`);
      for (const { labels, value } of fam.values.values())
        lines.push(`${name}${formatLabels(labels)} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string, help: string, type: Family['type']): Family {
    let fam = this.families.get(name);
    if (!fam) {
      fam = { help, type, values: new Map() };
      this.families.set(name, fam);
    }
    return fam;
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${keys.map((k) => `${k}="${esc(labels[k])}"`).join(',')}}`;
}
