/**
 * A Standard MIDI File (format 0, one track) of sung notes: tempo (quarter notes per minute),
 * time signature when known, track name, and per note a lyric meta event (the syllable, as
 * karaoke players show it) with its note-on and note-off.
 * Seconds map to ticks at one constant tempo, so times are exact whatever the song's tempo.
 */
export interface MidiNote {
  start: number;
  end: number;
  midi: number;
  text?: string;
}

export const MIDI_DIVISION = 480; // ticks per quarter note
const VELOCITY = 96;
const CHANNEL = 0;

export function renderMidi(
  notes: readonly MidiNote[],
  opts: { tempoBpm?: number; name?: string; timeSignature?: string } = {},
): Buffer {
  const bpm = opts.tempoBpm && opts.tempoBpm > 0 ? opts.tempoBpm : 120;
  const ticksPerSecond = (MIDI_DIVISION * bpm) / 60;
  const usPerQuarter = Math.round(60_000_000 / bpm);
  type Ev = { tick: number; order: number; bytes: number[] };
  const events: Ev[] = [];
  events.push({
    tick: 0,
    order: 0,
    bytes: [0xff, 0x51, 0x03, (usPerQuarter >> 16) & 0xff, (usPerQuarter >> 8) & 0xff, usPerQuarter & 0xff],
  });
  const sig = timeSignatureBytes(opts.timeSignature);
  if (sig) events.push({ tick: 0, order: 0, bytes: sig });
  if (opts.name)
    events.push({
      tick: 0,
      order: 0,
      bytes: [0xff, 0x03, ...varLen(utf8(opts.name).length), ...utf8(opts.name)],
    });
  for (const n of notes) {
    const pitch = Math.max(0, Math.min(127, Math.round(n.midi)));
    const on = Math.max(0, Math.round(n.start * ticksPerSecond));
    const off = Math.max(on + 1, Math.round(n.end * ticksPerSecond));
    if (n.text) {
      const t = utf8(n.text);
      events.push({ tick: on, order: 2, bytes: [0xff, 0x05, ...varLen(t.length), ...t] });
    }
    events.push({ tick: on, order: 3, bytes: [0x90 | CHANNEL, pitch, VELOCITY] });
    // Offs sort before ons at the same tick so that repeated pitches do not cut each other.
    events.push({ tick: off, order: 1, bytes: [0x80 | CHANNEL, pitch, 0] });
  }
  events.sort((a, b) => a.tick - b.tick || a.order - b.order);
  const body: number[] = [];
  let last = 0;
  for (const e of events) {
    body.push(...varLen(e.tick - last), ...e.bytes);
    last = e.tick;
  }
  body.push(0x00, 0xff, 0x2f, 0x00); // end of track
  const header = Buffer.alloc(14);
  header.write('MThd', 0, 'latin1');
  header.writeUInt32BE(6, 4);
  header.writeUInt16BE(0, 8); // format 0
  header.writeUInt16BE(1, 10); // one track
  header.writeUInt16BE(MIDI_DIVISION, 12);
  const trackHeader = Buffer.alloc(8);
  trackHeader.write('MTrk', 0, 'latin1');
  trackHeader.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, trackHeader, Buffer.from(body)]);
}

/** MIDI variable-length quantity. */
export function varLen(value: number): number[] {
  let v = Math.max(0, Math.floor(value));
  const out = [v & 0x7f];
  v >>= 7;
  while (v > 0) {
    out.unshift((v & 0x7f) | 0x80);
    v >>= 7;
  }
  return out;
}

function utf8(s: string): number[] {
  return [...Buffer.from(s, 'utf8')];
}

/**
 * The time signature meta event (FF 58) of "n/d" (d a power of two up to 32): numerator,
 * log2(denominator), MIDI clocks per metronome click (a quarter, or a dotted quarter in
 * compound meters: 6/8, 9/8, 12/8), 8 thirty-seconds per quarter. Undefined for anything else.
 */
export function timeSignatureBytes(signature: string | undefined): number[] | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})$/.exec(signature ?? '');
  if (!m) return undefined;
  const num = Number(m[1]);
  const den = Number(m[2]);
  const log2 = Math.log2(den);
  if (!(num >= 1 && num <= 32) || !Number.isInteger(log2) || log2 < 0 || log2 > 5) return undefined;
  const compound = den === 8 && num % 3 === 0 && num > 3;
  const clocks = compound ? 36 : Math.round((24 * 4) / den) || 24;
  return [0xff, 0x58, 0x04, num, log2, clocks, 8];
}
