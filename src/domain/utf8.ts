/**
 * The one reading of text a client sends as bytes (a JSON body, a form field, a `--lyrics` file):
 * UTF-8, strictly. A lossy decoder turns bytes that are not UTF-8 (Latin-1, a CESU surrogate, an
 * overlong form) into U+FFFD without a word, so that the text stored is not the text sent.
 * A byte order mark is kept as a character (the JSON parser refuses one before this).
 */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or undefined when they are not valid UTF-8. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
