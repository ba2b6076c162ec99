/**
 * UltraStar text format (UltraStar Deluxe, Performous, Vocaluxe): a header (#TITLE, #ARTIST,
 * #MP3, #BPM, #GAP), one `: start length pitch syllable` per note in file beats, `- beat` line
 * breaks and a final `E`. A file beat lasts 60 / (4 · BPM) s (players count BPM in quarter
 * beats), so #BPM = the song's quarter-note tempo puts the notes on its 16th-note grid (in a
 * compound meter 1.5 × the dotted-quarter beat's tempo, so its 16ths too); #GAP (ms) is where
 * beat 0 sits. Pitch is MIDI − 60. A word ends with a trailing space on its last syllable;
 * `~` continues a syllable on another note.
 */
export interface UltraStarNote {
  start: number;
  end: number;
  midi: number;
  wordIndex: number;
  text: string;
}

export interface UltraStarHeader {
  title: string;
  artist: string;
  mp3: string;
  /** The song's tempo (quarter-note BPM) with the first beat it counts from; absent: a 50 ms grid. */
  tempoBpm?: number;
  firstBeat?: number;
}

/** Without a tempo, #BPM 300 gives 50 ms file beats. */
const FREE_BPM = 300;
export const ULTRASTAR_PITCH_OFFSET = 60;

export function renderUltraStar(
  notes: readonly UltraStarNote[],
  lineOfWord: (wordIndex: number) => number,
  header: UltraStarHeader,
): string {
  const bpm = header.tempoBpm && header.tempoBpm > 0 ? header.tempoBpm : FREE_BPM;
  const beatS = 60 / (4 * bpm);
  const first = notes[0]?.start ?? 0;
  // Beat 0 on a beat of the song at or before the first note, so the grid lines up.
  let gap = header.tempoBpm && header.firstBeat !== undefined ? header.firstBeat : first;
  if (gap > first) gap -= Math.ceil((gap - first) / (4 * beatS)) * 4 * beatS;
  const toBeat = (t: number): number => Math.round((t - gap) / beatS);
  const lines = [
    `#TITLE:${clean(header.title)}`,
    `#ARTIST:${clean(header.artist)}`,
    `#MP3:${clean(header.mp3)}`,
    `#BPM:${formatBpm(bpm)}`,
    `#GAP:${Math.round(gap * 1000)}`,
    '#ENCODING:UTF8',
  ];
  let prevEnd = 0;
  let prevLine: number | undefined;
  notes.forEach((n, i) => {
    let start = Math.max(toBeat(n.start), prevEnd);
    const line = lineOfWord(n.wordIndex);
    if (prevLine !== undefined && line !== prevLine) {
      lines.push(`- ${prevEnd}`);
      start = Math.max(start, prevEnd);
    }
    const end = Math.max(start + 1, toBeat(n.end));
    const next = notes[i + 1];
    const lastOfWord = !next || next.wordIndex !== n.wordIndex;
    const text = clean(n.text) + (lastOfWord ? ' ' : '');
    lines.push(`: ${start} ${end - start} ${Math.round(n.midi) - ULTRASTAR_PITCH_OFFSET} ${text}`);
    prevEnd = end;
    prevLine = line;
  });
  lines.push('E');
  return `${lines.join('\n')}\n`;
}

function formatBpm(bpm: number): string {
  return (Math.round(bpm * 100) / 100).toString();
}

/** Header values and syllables are one line each. */
function clean(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
