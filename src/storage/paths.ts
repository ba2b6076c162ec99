/**
 * @file Every path under STORAGE_DIR is built here, and nowhere else.
 *
 * storage/tmp/                     (uploads being received and validated)
 * storage/jobs/{job_id}/
 *   job.json                       (embedded job store)
 *   original.<ext>
 *   work/mix.wav                   (decoded once: float32, AUDIO_SAMPLE_RATE, stereo)
 *   stems/vocals.wav drums.wav bass.wav other.wav instrumental.wav   (.flac/.mp3/.opus per stem format)
 *   stems/.source/vocals.wav instrumental.wav   (16-bit copies kept when the stems are not WAV)
 *   transcription/transcription.json lyrics.lrc lyrics.elrc lyrics.srt lyrics.vtt lyrics.ass
 *                 notes.json vocals.mid ultrastar.txt
 *   beat_analysis/analysis.json beats.json onsets.json
 *   report.json
 *   variants/{variant_id}/variant.json instrumental.<ext> [transcription.json beats.json lyrics.ass]
 *   video/{video_id}/video.json karaoke.mp4 karaoke.ass
 */

import path from 'node:path';
import type { StageName } from '../domain/stage.js';

export const STEM_NAMES = ['vocals', 'drums', 'bass', 'other'] as const;
export type StemName = (typeof STEM_NAMES)[number];
export type StemFile = StemName | 'instrumental';

export const STAGE_DIRS: { [S in StageName]: string } = {
  separation: 'stems',
  transcription: 'transcription',
  beats: 'beat_analysis',
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isJobId(id: string): boolean {
  return UUID_RE.test(id);
}

export interface JobPaths {
  /** Absolute job directory. */
  dir: string;
  jobJson: string;
  original(ext: string): string;
  mix: string;
  workDir: string;
  stageDir(stage: StageName): string;
  /** A stem in its published format (`ext` from the format table; wav by default). */
  stem(name: StemFile, ext?: string): string;
  /** The 16-bit WAV copy of a stem that later stages read when the stems are not WAV (never served). */
  stemSource(name: StemFile): string;
  transcription(file: string): string;
  beats(file: string): string;
  report: string;
  /** variants/{variant_id}/: an instrumental variant and its re-timed files. */
  variantDir(id: string): string;
  /** video/{video_id}/: a karaoke video and the ASS it burned in. */
  videoDir(id: string): string;
  /** Path relative to the job directory, with forward slashes (what the API and job records carry). */
  rel(abs: string): string;
}

/** Uploads stream here before they are validated and moved into a job directory. */
export function tmpDir(storageDir: string): string {
  return path.join(storageDir, 'tmp');
}

export function jobsRoot(storageDir: string): string {
  return path.join(storageDir, 'jobs');
}

export function jobPaths(storageDirOrJobDir: string, jobId?: string): JobPaths {
  // `jobPaths(storageDir, id)` for service jobs; `jobPaths(dir)` for a CLI --out directory.
  const dir = path.resolve(jobId === undefined ? storageDirOrJobDir : path.join(jobsRoot(storageDirOrJobDir), jobId));
  const j = (...p: string[]) => path.join(dir, ...p);
  return {
    dir,
    jobJson: j('job.json'),
    original: (ext) => j(`original.${ext.replace(/^\./, '')}`),
    workDir: j('work'),
    mix: j('work', 'mix.wav'),
    stageDir: (stage) => j(STAGE_DIRS[stage]),
    stem: (name, ext = 'wav') => j('stems', `${name}.${ext}`),
    stemSource: (name) => j('stems', '.source', `${name}.wav`),
    transcription: (file) => j('transcription', file),
    beats: (file) => j('beat_analysis', file),
    report: j('report.json'),
    variantDir: (id) => j('variants', id),
    videoDir: (id) => j('video', id),
    rel: (abs) => path.relative(dir, abs).split(path.sep).join('/'),
  };
}
