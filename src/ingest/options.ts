import type { JobOptions, StageName } from '../domain/stage.js';
import { STAGE_NAMES } from '../domain/stage.js';
import { requiredStages } from '../domain/pipeline.js';
import { isSeparationEngineChoice, SEPARATION_CHOICES_TEXT } from '../engines/separation/engines.js';
import { isWhisperLanguage } from '../engines/transcription/languages.js';
import { WHISPER_SIZES } from '../engines/transcription/whisper.js';
import { displayLines } from '../domain/display-text.js';
import { InputError } from '../errors.js';
import { AUDIO_FORMATS_TEXT, parseAudioFormat } from '../infra/audio-formats.js';

/**
 * Job options from form fields or CLI flags, checked once for both.
 * Client strings are looked up in a Map, never as keys of a plain object (`__proto__`,
 * `constructor` and friends would find Object.prototype's members).
 */
export const STAGE_ALIASES: ReadonlyMap<string, StageName> = new Map([
  ['separation', 'separation'],
  ['stems', 'separation'],
  ['stem_separation', 'separation'],
  ['transcription', 'transcription'],
  ['lyrics', 'transcription'],
  ['beats', 'beats'],
  ['beat_analysis', 'beats'],
  ['rhythm', 'beats'],
]);

export const MAX_LYRICS_CHARS = 100_000;

export interface RawOptions {
  stages?: string;
  lyrics?: string;
  language?: string;
  whisper_model?: string;
  separation_engine?: string;
  /** wav | wav24 | wav_f32 | flac | mp3 | opus: the stems' file format (default STEM_FORMAT). */
  stem_format?: string;
  /** "vocals": the file is a vocals stem, aligned without separation. */
  input?: string;
  /** "mix" | "drums": what the beats stage tracks. */
  beats_source?: string;
}

/** Server or CLI defaults for options the client did not give (from the config). */
export interface OptionDefaults {
  beatsSource?: JobOptions['beatsSource'];
}

export interface ParsedOptions {
  options: JobOptions;
  warnings: string[];
}

/** What a message calls each field: the form field by default, the CLI passes its flag names. */
export type OptionNames = Partial<Record<keyof RawOptions, string>>;

export function parseJobOptions(
  raw: RawOptions,
  names: OptionNames = {},
  defaults: OptionDefaults = {},
): ParsedOptions {
  const name = (k: keyof RawOptions) => names[k] ?? k;
  const warnings: string[] = [];
  const stages = parseStages(raw.stages, name('stages'));
  const input = parseInput(raw.input, name('input'));
  // An explicit beats_source=drums adds separation; the server default only applies when
  // separation runs anyway (a beats-only job stays quick).
  const asked = parseBeatsSource(raw.beats_source, name('beats_source'));
  if (asked === 'drums' && input === 'vocals')
    throw new InputError(
      'BAD_BEATS_SOURCE',
      `${name('beats_source')}=drums needs a full mix, not a vocals stem`,
    );
  if (asked === 'drums' && stages.includes('beats') && !stages.includes('separation')) {
    stages.push('separation');
    warnings.push(
      `${name('beats_source')}=drums tracks beats on the drums and bass stems; separation was added`,
    );
  }
  const beatsSource =
    asked ??
    (defaults.beatsSource === 'drums' && input !== 'vocals' && stages.includes('separation')
      ? 'drums'
      : undefined);
  for (const s of [...stages]) {
    for (const dep of requiredStages(s, { stages, input })) {
      if (!stages.includes(dep)) {
        stages.push(dep);
        warnings.push(`${s} needs ${dep}; ${dep} was added`);
      }
    }
  }
  const options: JobOptions = { stages: STAGE_NAMES.filter((s) => stages.includes(s)) };
  if (input) options.input = input;
  if (beatsSource && options.stages.includes('beats')) options.beatsSource = beatsSource;
  // Each lyric word is shown as written (the player, the lyric files, the video): display text.
  const lyrics = raw.lyrics === undefined ? undefined : displayLines(raw.lyrics).trim();
  if (lyrics) {
    if (lyrics.length > MAX_LYRICS_CHARS)
      throw new InputError(
        'LYRICS_TOO_LONG',
        `${name('lyrics')} is limited to ${MAX_LYRICS_CHARS} characters`,
      );
    options.lyrics = lyrics;
  }
  const language = parseLanguage(raw.language, name('language'));
  if (language) options.language = language;
  const wm = raw.whisper_model?.trim();
  if (wm) {
    if (!(WHISPER_SIZES as readonly string[]).includes(wm)) {
      throw new InputError(
        'BAD_WHISPER_MODEL',
        `${name('whisper_model')} must be one of ${WHISPER_SIZES.join(', ')}`,
      );
    }
    options.whisperModel = wm;
  }
  const se = raw.separation_engine?.trim();
  if (se) {
    if (!isSeparationEngineChoice(se))
      throw new InputError(
        'BAD_SEPARATION_ENGINE',
        `${name('separation_engine')} must be ${SEPARATION_CHOICES_TEXT}`,
      );
    options.separationEngine = se;
  }
  const sf = raw.stem_format?.trim();
  if (sf) {
    const format = parseAudioFormat(sf);
    if (!format)
      throw new InputError('BAD_STEM_FORMAT', `${name('stem_format')} must be one of ${AUDIO_FORMATS_TEXT}`);
    options.stemFormat = format;
  }
  return { options, warnings };
}

/** A code the transcriber knows (languages.ts), or undefined for "auto" and none. */
function parseLanguage(raw: string | undefined, field: string): string | undefined {
  const language = raw?.trim().toLowerCase();
  if (!language || language === 'auto') return undefined;
  if (!/^[a-z]{2,3}$/.test(language))
    throw new InputError('BAD_LANGUAGE', `${field} "${raw}" is not a 2- or 3-letter code (or "auto")`);
  if (!isWhisperLanguage(language))
    throw new InputError(
      'BAD_LANGUAGE',
      `${field} "${language}" is not a language the transcriber knows (ISO 639-1 codes such as en, de, ja; or "auto")`,
    );
  return language;
}

function parseInput(raw: string | undefined, field: string): JobOptions['input'] {
  const v = raw?.trim().toLowerCase();
  if (!v) return undefined;
  if (v !== 'mixture' && v !== 'vocals')
    throw new InputError('BAD_INPUT', `${field} must be mixture or vocals`);
  return v;
}

function parseBeatsSource(raw: string | undefined, field: string): JobOptions['beatsSource'] {
  const v = raw?.trim().toLowerCase();
  if (!v) return undefined;
  if (v !== 'mix' && v !== 'drums') throw new InputError('BAD_BEATS_SOURCE', `${field} must be mix or drums`);
  return v;
}

function parseStages(raw: string | undefined, field: string): StageName[] {
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'all') return [...STAGE_NAMES];
  let names: string[];
  const t = raw.trim();
  if (t.startsWith('[')) names = stagesFromJson(t, field);
  else names = t.split(',');
  const out: StageName[] = [];
  for (const n of names.map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const stage = STAGE_ALIASES.get(n);
    if (!stage)
      throw new InputError('BAD_STAGES', `${field}: unknown stage "${n}"; use ${STAGE_NAMES.join(', ')}`);
    if (!out.includes(stage)) out.push(stage);
  }
  if (out.length === 0) throw new InputError('BAD_STAGES', `${field}: ask for at least one stage`);
  return out;
}

/** A JSON array of stage names: each item a string (`[["beats"]]` was read as beats, `[{}]` as "[object object]"). */
function stagesFromJson(text: string, field: string): string[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw new InputError(
      'BAD_STAGES',
      `${field} is not valid JSON; give a comma-separated list or a JSON array of names, e.g. ["beats"]`,
    );
  }
  if (!Array.isArray(items)) throw new InputError('BAD_STAGES', `${field} must be a JSON array of names`);
  const wrong = items.findIndex((item) => typeof item !== 'string');
  if (wrong >= 0) {
    throw new InputError(
      'BAD_STAGES',
      `${field}: item ${wrong + 1} is ${jsonKind(items[wrong])}; give stage names as strings, e.g. ["beats"] (${STAGE_NAMES.join(', ')})`,
    );
  }
  return items as string[];
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
