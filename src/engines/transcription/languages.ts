/**
 * The languages the transcriber takes: Whisper's, as transformers.js lists them
 * (`WHISPER_LANGUAGES` in its `models/whisper/common_whisper.js`, which the package does not
 * export; importing the package here would also load the model runtime). ISO 639-1 codes, plus
 * `haw` (Hawaiian) and Whisper's `jw` (Javanese). A code outside the list was accepted at upload
 * and then failed the transcription stage; job options are checked against it
 * (ingest/options.ts). test/unit/lyrics/languages.test.ts keeps it equal to the library's list.
 */
// prettier-ignore
export const WHISPER_LANGUAGES = [
  'en', 'zh', 'de', 'es', 'ru', 'ko', 'fr', 'ja', 'pt', 'tr', 'pl', 'ca', 'nl', 'ar', 'sv', 'it',
  'id', 'hi', 'fi', 'vi', 'he', 'uk', 'el', 'ms', 'cs', 'ro', 'da', 'hu', 'ta', 'no', 'th', 'ur',
  'hr', 'bg', 'lt', 'la', 'mi', 'ml', 'cy', 'sk', 'te', 'fa', 'lv', 'bn', 'sr', 'az', 'sl', 'kn',
  'et', 'mk', 'br', 'eu', 'is', 'hy', 'ne', 'mn', 'bs', 'kk', 'sq', 'sw', 'gl', 'mr', 'pa', 'si',
  'km', 'sn', 'yo', 'so', 'af', 'oc', 'ka', 'be', 'tg', 'sd', 'gu', 'am', 'yi', 'lo', 'uz', 'fo',
  'ht', 'ps', 'tk', 'nn', 'mt', 'sa', 'lb', 'my', 'bo', 'tl', 'mg', 'as', 'tt', 'haw', 'ln', 'ha',
  'ba', 'jw', 'su',
] as const;

const KNOWN: ReadonlySet<string> = new Set(WHISPER_LANGUAGES);

export function isWhisperLanguage(code: string): boolean {
  return KNOWN.has(code);
}
