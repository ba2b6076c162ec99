/** A strict Standard MIDI File reader for tests: throws on anything malformed. */
export interface SmfNote {
  pitch: number;
  on: number; // seconds
  off: number;
  channel: number;
}

export interface Smf {
  format: number;
  tracks: number;
  division: number;
  usPerQuarter: number;
  notes: SmfNote[];
  lyrics: { time: number; text: string }[];
  name?: string;
  /** The time signature meta event: numerator, denominator, MIDI clocks per click. */
  timeSignature?: { num: number; den: number; clocks: number };
}

export function parseSmf(buf: Buffer): Smf {
  if (buf.toString('latin1', 0, 4) !== 'MThd' || buf.readUInt32BE(4) !== 6) throw new Error('bad header');
  const format = buf.readUInt16BE(8);
  const tracks = buf.readUInt16BE(10);
  const division = buf.readUInt16BE(12);
  if (division & 0x8000) throw new Error('SMPTE division not expected');
  let pos = 14;
  let usPerQuarter = 500000;
  const notes: SmfNote[] = [];
  const lyrics: { time: number; text: string }[] = [];
  let name: string | undefined;
  let timeSignature: Smf['timeSignature'];
  for (let t = 0; t < tracks; t++) {
    if (buf.toString('latin1', pos, pos + 4) !== 'MTrk') throw new Error('bad track chunk');
    const len = buf.readUInt32BE(pos + 4);
    let p = pos + 8;
    const end = p + len;
    if (end > buf.length) throw new Error('track runs past the file');
    let tick = 0;
    let ended = false;
    const open = new Map<number, { on: number; channel: number }>();
    const readVar = (): number => {
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const b = buf[p++];
        v = (v << 7) | (b & 0x7f);
        if (!(b & 0x80)) return v;
      }
      throw new Error('variable-length quantity too long');
    };
    const seconds = (ticks: number): number => (ticks * usPerQuarter) / division / 1e6;
    while (p < end) {
      if (ended) throw new Error('events after end of track');
      tick += readVar();
      const status = buf[p++];
      if (status === 0xff) {
        const type = buf[p++];
        const l = readVar();
        const data = buf.subarray(p, p + l);
        p += l;
        if (type === 0x51) usPerQuarter = (data[0] << 16) | (data[1] << 8) | data[2];
        else if (type === 0x05) lyrics.push({ time: seconds(tick), text: data.toString('utf8') });
        else if (type === 0x03) name = data.toString('utf8');
        else if (type === 0x58) {
          if (l !== 4 || data[3] !== 8) throw new Error('bad time signature');
          timeSignature = { num: data[0], den: 2 ** data[1], clocks: data[2] };
        } else if (type === 0x2f) ended = true;
      } else if ((status & 0xf0) === 0x90 || (status & 0xf0) === 0x80) {
        const pitch = buf[p++];
        const vel = buf[p++];
        if (pitch > 127 || vel > 127) throw new Error('data byte out of range');
        const channel = status & 0x0f;
        const isOn = (status & 0xf0) === 0x90 && vel > 0;
        if (isOn) {
          if (open.has(pitch)) throw new Error(`overlapping note ${pitch}`);
          open.set(pitch, { on: tick, channel });
        } else {
          const o = open.get(pitch);
          if (!o) throw new Error(`note off without on ${pitch}`);
          open.delete(pitch);
          notes.push({ pitch, on: seconds(o.on), off: seconds(tick), channel });
        }
      } else throw new Error(`unexpected status 0x${status.toString(16)}`);
    }
    if (!ended) throw new Error('no end of track');
    if (open.size > 0) throw new Error('notes left on');
    pos = end;
  }
  if (pos !== buf.length) throw new Error('trailing bytes');
  notes.sort((a, b) => a.on - b.on);
  return { format, tracks, division, usPerQuarter, notes, lyrics, name, timeSignature };
}
