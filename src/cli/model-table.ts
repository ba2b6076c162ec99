import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config.js';
import { locateModel, MODELS } from '../engines/models.js';
import { whisperModelId, WHISPER_SIZES } from '../engines/transcription/whisper.js';

/** One row per model this build knows: installed or not, size, licence, where it was found. */
export interface ModelRow {
  name: string;
  installed: boolean;
  bytes: number | undefined;
  licence: string;
  where: string;
}

const WHISPER_LICENCE = 'MIT (OpenAI Whisper weights)';

export async function modelRows(config: Pick<AppConfig, 'modelsDir'>): Promise<ModelRow[]> {
  const rows: ModelRow[] = [];
  for (const spec of Object.values(MODELS)) {
    const loc = await locateModel(spec, config.modelsDir);
    rows.push({
      name: spec.name,
      installed: loc !== undefined,
      bytes: spec.bytes,
      licence: spec.license.split(':').at(-1)?.trim() ?? spec.license,
      where: loc
        ? `${loc.path} (${loc.origin})`
        : `not found (would be ${path.join(config.modelsDir, spec.file)})`,
    });
  }
  for (const size of WHISPER_SIZES) {
    const dir = path.join(config.modelsDir, whisperModelId(size));
    const bytes = await dirBytes(dir);
    rows.push({
      name: `whisper-${size}`,
      installed: bytes !== undefined && bytes > 0,
      bytes,
      licence: WHISPER_LICENCE,
      where: bytes ? dir : `not found (would be ${dir})`,
    });
  }
  return rows;
}

export function formatModelTable(rows: ModelRow[]): string {
  const cells = rows.map((r) => [
    r.name,
    r.installed ? 'yes' : 'no',
    formatBytes(r.bytes),
    r.licence,
    r.where,
  ]);
  const head = ['NAME', 'INSTALLED', 'SIZE', 'LICENCE', 'WHERE'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(0)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

async function dirBytes(dir: string): Promise<number | undefined> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return undefined;
  }
  let total = 0;
  for (const e of entries) {
    if (!e.isFile()) continue;
    const st = await fs.stat(path.join(e.parentPath, e.name)).catch(() => undefined);
    total += st?.size ?? 0;
  }
  return total;
}
