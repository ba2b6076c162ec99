/** An UltraStar txt reader for tests that enforces the format's rules (throws on a violation). */
export interface UsNote {
  start: number;
  length: number;
  pitch: number;
  text: string;
}

export interface UsSong {
  headers: Record<string, string>;
  bpm: number;
  gapMs: number;
  notes: UsNote[];
  breaks: number[];
  /** Seconds of a file beat. */
  beatS: number;
}

const REQUIRED = ['TITLE', 'ARTIST', 'MP3', 'BPM'];

export function parseUltraStar(text: string): UsSong {
  if (!text.endsWith('\n')) throw new Error('no final newline');
  const lines = text.split('\n').slice(0, -1);
  const headers: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length && lines[i].startsWith('#'); i++) {
    const m = /^#([A-Z0-9]+):(.*)$/.exec(lines[i]);
    if (!m) throw new Error(`bad header line ${lines[i]}`);
    headers[m[1]] = m[2];
  }
  for (const k of REQUIRED) if (!(k in headers) || headers[k] === '') throw new Error(`missing #${k}`);
  const bpm = Number(headers.BPM.replace(',', '.'));
  if (!(bpm > 0)) throw new Error('bad #BPM');
  const gapMs = headers.GAP === undefined ? 0 : Number(headers.GAP);
  if (!Number.isInteger(gapMs)) throw new Error('bad #GAP');
  const notes: UsNote[] = [];
  const breaks: number[] = [];
  let ended = false;
  let lastEnd = -Infinity;
  let pendingBreak: number | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (ended) throw new Error('lines after E');
    if (line === 'E') {
      ended = true;
      continue;
    }
    let m = /^([:*FRG]) (-?\d+) (\d+) (-?\d+) (.+)$/.exec(line);
    if (m) {
      const n = { start: Number(m[2]), length: Number(m[3]), pitch: Number(m[4]), text: m[5] };
      if (n.length < 1) throw new Error(`note without length: ${line}`);
      if (n.start < lastEnd) throw new Error(`note overlaps the previous: ${line}`);
      if (pendingBreak !== undefined && n.start < pendingBreak)
        throw new Error(`note before its line break: ${line}`);
      pendingBreak = undefined;
      notes.push(n);
      lastEnd = n.start + n.length;
      continue;
    }
    m = /^- (\d+)$/.exec(line);
    if (m) {
      const b = Number(m[1]);
      if (notes.length === 0) throw new Error('line break before any note');
      if (b < lastEnd) throw new Error(`line break inside a note: ${line}`);
      if (pendingBreak !== undefined) throw new Error('two line breaks in a row');
      breaks.push(b);
      pendingBreak = b;
      continue;
    }
    throw new Error(`unparseable line: ${JSON.stringify(line)}`);
  }
  if (!ended) throw new Error('no E');
  if (pendingBreak !== undefined) throw new Error('line break before E');
  if (notes.length === 0) throw new Error('no notes');
  return { headers, bpm, gapMs, notes, breaks, beatS: 60 / (4 * bpm) };
}
