/**
 * @file The results document and the JSON files it inlines, as the stages write them:
 * transcription/transcription.json (engines/transcription/transcript-json.ts),
 * beat_analysis/analysis.json (stages/analyze-beats.ts) and report.json (pipeline/report.ts).
 * Objects allow extra properties so a stage can add a field without breaking clients;
 * test/http/result-schemas.test.ts checks the real writers against these schemas.
 */

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { LyricsSource, WordFlag } from '../engines/transcription/timeline.js';
import {
  Engine,
  ErrorInfo,
  JobStatus,
  JobSummary,
  PerStage,
  StageName,
  StageStatus,
  StageView,
  StringEnum,
} from './schemas.js';

/** Every value of a string union, checked exhaustive by the compiler. */
const keysOf = <T extends string>(all: Record<T, true>): T[] => Object.keys(all) as T[];

const WORD_FLAGS = keysOf<WordFlag>({
  unplaced: true,
  no_vocal_energy: true,
  starts_in_silence: true,
  asr_match: true,
  low_confidence: true,
});
const LYRICS_SOURCES = keysOf<LyricsSource>({ aligned: true, transcribed: true, 'aligned+asr': true });

const open = { additionalProperties: true } as const;
const Seconds = Type.Number({ minimum: 0, description: 'seconds from the start of the song' });
const Score = Type.Number({ minimum: 0, maximum: 1 });

export const TimedWord = Type.Object(
  {
    word: Type.String(),
    start: Seconds,
    end: Seconds,
    confidence: Score,
    line: Type.Integer({ minimum: 0, description: 'index into segments' }),
    flags: Type.Array(StringEnum(WORD_FLAGS)),
  },
  open,
);

export const TranscriptionDoc = Type.Object(
  {
    version: Type.Integer(),
    language: Type.Union([Type.String(), Type.Null()]),
    source: StringEnum(LYRICS_SOURCES, {
      description: 'aligned: given lyrics; transcribed: speech recognition; aligned+asr: both',
    }),
    text: Type.String({ description: 'one lyric line per line' }),
    segments: Type.Array(
      Type.Object(
        {
          id: Type.Integer(),
          text: Type.String(),
          start: Seconds,
          end: Seconds,
          words: Type.Array(TimedWord),
        },
        open,
      ),
      { description: 'the lyric lines' },
    ),
    words: Type.Array(TimedWord),
    qa: Type.Object(
      {
        word_count: Type.Integer(),
        mean_confidence: Score,
        low_confidence_words: Type.Integer(),
        unplaced_words: Type.Integer(),
        words_starting_in_silence: Type.Array(
          Type.Object({ index: Type.Integer(), word: Type.String(), start: Seconds }, open),
        ),
        uncovered_vocal_stretches: Type.Array(Type.Object({ start: Seconds, end: Seconds }, open)),
        vocal_coverage: Type.Union([Score, Type.Null()]),
        score: Type.Number({ minimum: 0, maximum: 100 }),
      },
      { ...open, description: 'timing QA (docs/lyrics.md)' },
    ),
  },
  { ...open, description: 'transcription/transcription.json: the word-timed lyrics' },
);
export type TranscriptionDoc = Static<typeof TranscriptionDoc>;

export const BeatAnalysisDoc = Type.Object(
  {
    tempo_bpm: Type.Number({ minimum: 0, description: '0 when no steady pulse was found' }),
    tempo_candidates: Type.Array(Type.Object({ bpm: Type.Number(), score: Score }, open)),
    tempo_confidence: Score,
    time_signature: Type.String({ description: '4/4, 3/4, 2/4, 6/8, 9/8, 12/8 or unknown' }),
    beats_per_bar: Type.Integer(),
    compound: Type.Boolean({ description: 'the beat divides in three (6/8, 9/8, 12/8)' }),
    beat_confidence: Score,
    meter_confidence: Score,
    rhythm_regularity: Score,
    beat_count: Type.Integer({ minimum: 0 }),
    downbeats: Type.Array(Seconds),
    duration: Seconds,
    engine: Type.Object({ name: Type.String(), version: Type.String() }, open),
    source: Type.Optional(
      StringEnum(['mix', 'drums'] as const, {
        description: 'what the beats were tracked on: the mixture or the separated drums (+ bass) stems',
      }),
    ),
  },
  { ...open, description: 'beat_analysis/analysis.json; every beat is in beat_analysis/beats.json' },
);
export type BeatAnalysisDoc = Static<typeof BeatAnalysisDoc>;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const ReportDoc = Type.Object(
  {
    job_id: Type.String({ format: 'uuid' }),
    status: JobStatus,
    app_version: Type.String(),
    created_at: Type.String(),
    started_at: Nullable(Type.String()),
    finished_at: Nullable(Type.String()),
    wall_time_s: Nullable(Type.Number()),
    input: Type.Object(
      {
        filename: Type.String(),
        format: Type.String(),
        size_bytes: Type.Integer(),
        duration_s: Type.Number(),
      },
      open,
    ),
    options: Type.Object(
      { stages: Type.Array(StageName), language: Nullable(Type.String()), lyrics_given: Type.Boolean() },
      open,
    ),
    stages: PerStage(
      Type.Object(
        {
          status: StageStatus,
          engine: Nullable(Engine),
          attempts: Type.Integer(),
          started_at: Nullable(Type.String()),
          finished_at: Nullable(Type.String()),
          duration_s: Nullable(Type.Number()),
          outputs: Type.Record(Type.String(), Type.String()),
          warnings: Type.Array(Type.String()),
          error: Nullable(ErrorInfo),
        },
        open,
      ),
    ),
    summary: JobSummary,
    qa: Type.Object({ missing_stages: Type.Array(StageName) }, open),
    warnings: Type.Array(Type.String()),
  },
  { ...open, description: 'report.json: what ran, with which engine, how long, and every warning' },
);

/** What results.ts inlines instead of a JSON file larger than its inline limit. */
export const NotInlined = Type.Object(
  { too_large_to_inline: Type.Literal(true), url: Type.String() },
  { description: 'the file is too large to inline; download it from url' },
);
export type NotInlined = Static<typeof NotInlined>;
export type ReportDoc = Static<typeof ReportDoc>;

export const FileView = Type.Object({
  path: Type.String(),
  url: Type.String({ description: 'download URL (GET /api/files/{job_id}/{path})' }),
  size: Type.Integer(),
  content_type: Type.String(),
});

/** A completed karaoke video (POST /api/jobs/{id}/video), with the ASS it burned in. */
export const VideoResult = Type.Object({
  video_id: Type.String(),
  params: Type.Object({
    variant: Nullable(
      Type.String({ description: 'the variant whose audio it plays, or null: the instrumental' }),
    ),
    size: Type.String(),
    title: Nullable(Type.String()),
    artist: Nullable(Type.String()),
  }),
  video: FileView,
  ass: Nullable(FileView),
});
export type VideoResult = Static<typeof VideoResult>;
/** A completed instrumental variant (POST /api/jobs/{id}/variants) with its files. */
export const VariantResult = Type.Object({
  variant_id: Type.String(),
  params: Type.Object({
    semitones: Type.Integer(),
    tempo: Type.Number(),
    vocal_db: Nullable(Type.Number()),
    format: Type.String(),
  }),
  files: Type.Record(Type.String(), FileView, {
    description: 'instrumental, and for a tempo change the re-timed transcription, beats and ass',
  }),
  links: Type.Object({ self: Type.String() }),
});

export const ResultsView = Type.Object(
  {
    job_id: Type.String({ format: 'uuid' }),
    status: JobStatus,
    summary: JobSummary,
    stems: Type.Record(Type.String(), FileView, {
      description: 'stem name (vocals, instrumental, …) → file',
    }),
    original: Nullable(FileView),
    transcription: Type.Union([TranscriptionDoc, NotInlined, Type.Null()]),
    beat_analysis: Type.Union([BeatAnalysisDoc, NotInlined, Type.Null()]),
    files: Type.Array(FileView),
    variants: Type.Array(VariantResult, { description: 'completed instrumental variants, oldest first' }),
    stages: PerStage(StageView),
    report: Type.Union([ReportDoc, NotInlined, Type.Null()]),
    videos: Type.Array(VideoResult, { description: 'completed karaoke videos (MP4, H.264 + AAC)' }),
  },
  open,
);
export type ResultsView = Static<typeof ResultsView>;
