import fs from 'node:fs/promises';
import path from 'node:path';
import type { PcmAudio } from '../audio/pcm.js';
import { toMono } from '../audio/pcm.js';
import type { VocalFeatures } from '../audio/lyrics/features.js';
import { trackPitch } from '../audio/pitch/track.js';
import { vocalCues } from '../audio/pitch/vowel-onsets.js';
import type { StageContext } from '../domain/stage.js';
import { renderNotesJson } from '../engines/notes/notes-json.js';
import { loadPronunciations } from '../engines/notes/syllables.js';
import {
  NOTES_VOICING,
  quartersPerBeat,
  transcribeNotes,
  type BeatGrid,
} from '../engines/notes/transcribe-notes.js';
import type { Transcript } from '../engines/transcription/timeline.js';
import { renderMidi } from '../exports/midi.js';
import { renderUltraStar } from '../exports/ultrastar.js';
import { writeFileAtomic } from '../storage/files.js';

/**
 * What a singer takes home from the transcription stage: the vocal pitch track and sung notes
 * (notes.json), the notes as MIDI (vocals.mid) and an UltraStar file (ultrastar.txt). The beat
 * grid is the beats stage's, when it has finished by now (it starts with separation and takes
 * seconds, so it nearly always has); without it notes are not quantized and UltraStar uses a
 * 50 ms grid.
 */
export const SINGER_FILES = { notes: 'notes.json', midi: 'vocals.mid', ultrastar: 'ultrastar.txt' } as const;

export interface SongGrid extends BeatGrid {
  /** The beat's tempo (in compound meters the dotted quarter's, as beats.json reports it). */
  tempoBpm: number;
  /** The time signature of beats.json ("6/8", …) when it has one. */
  timeSignature?: string;
}

export async function writeSingerFiles(
  ctx: StageContext,
  t: Transcript,
  vocals: PcmAudio,
  grid: SongGrid | undefined,
  /** The vocals' features, when the aligner computed them already. */
  features?: VocalFeatures,
): Promise<{ outputs: Record<string, string>; noteCount: number }> {
  const mono = toMono(vocals);
  const track = trackPitch(mono, vocals.sampleRate, { voicing: NOTES_VOICING });
  const cues = vocalCues(mono, vocals.sampleRate, track, features);
  const dict = await loadPronunciations();
  // Unplaced words have interpolated times: no pitch can be trusted there.
  const words = t.words.map((w) =>
    w.flags.includes('unplaced') ? { word: w.word, start: w.start, end: w.start } : w,
  );
  const notes = transcribeNotes(track, words, dict, grid, cues);
  // MIDI and UltraStar count quarter notes: a compound meter's beat is a dotted quarter.
  const quarterBpm = grid ? grid.tempoBpm * quartersPerBeat(grid.compound) : undefined;
  const title = path.basename(ctx.paths.dir);
  const files: Record<keyof typeof SINGER_FILES, string | Buffer> = {
    notes: renderNotesJson(notes, track, grid ? 'beats' : 'none'),
    midi: renderMidi(notes, { tempoBpm: quarterBpm, timeSignature: grid?.timeSignature, name: 'vocals' }),
    ultrastar: renderUltraStar(notes, (i) => t.words[i]?.line ?? 0, {
      title,
      artist: 'Unknown',
      mp3: 'instrumental.wav',
      tempoBpm: quarterBpm,
      firstBeat: grid?.beats[0],
    }),
  };
  const outputs: Record<string, string> = {};
  for (const key of Object.keys(SINGER_FILES) as (keyof typeof SINGER_FILES)[]) {
    const file = ctx.paths.transcription(SINGER_FILES[key]);
    await writeFileAtomic(file, files[key], { fsync: false });
    outputs[key] = ctx.paths.rel(file);
  }
  return { outputs, noteCount: notes.length };
}

/** The beats stage's grid, if its beats.json exists and is sane. */
export async function readBeatGrid(ctx: StageContext): Promise<SongGrid | undefined> {
  try {
    const body = JSON.parse(await fs.readFile(ctx.paths.beats('beats.json'), 'utf8')) as {
      tempo_bpm?: unknown;
      beats?: { time?: unknown }[];
      downbeats?: unknown[];
      compound?: unknown;
      time_signature?: unknown;
    };
    const beats = (body.beats ?? []).map((b) => Number(b.time)).filter((t) => Number.isFinite(t) && t >= 0);
    const tempoBpm = Number(body.tempo_bpm);
    if (beats.length < 2 || !(tempoBpm > 0)) return undefined;
    const downbeats = (body.downbeats ?? []).map(Number).filter(Number.isFinite);
    const timeSignature = typeof body.time_signature === 'string' ? body.time_signature : undefined;
    return { beats, downbeats, tempoBpm, compound: body.compound === true, timeSignature };
  } catch {
    return undefined;
  }
}
