import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import '@fastify/multipart';
import type { AppConfig } from '../config.js';
import { strictUtf8 } from '../domain/utf8.js';
import { InputError, quotedName } from '../errors.js';
import { checkExtension } from '../ingest/validate.js';
import { tmpDir } from '../storage/paths.js';
import { checkCharset } from './json-body.js';
import { uploadFilename } from './upload-filename.js';

/**
 * Streams a multipart upload to a temp file under STORAGE_DIR/tmp (never the whole file in
 * memory), enforcing MAX_FILE_SIZE while streaming, and collects the text fields in any order.
 * On any error the temp file is removed.
 */
/** The largest text field (lyrics are at most 100 000 characters, up to 4 bytes each). */
export const FIELD_SIZE_BYTES = 1024 * 1024;

/**
 * The multipart parser's buffer per part, above the largest chunk a socket read delivers (64 KB).
 * The parser skips a part that is not a form field (no `Content-Disposition: form-data`), and a
 * skipped part whose last chunk overflowed the default 16 KB buffer stalled it for good: the
 * client had sent everything and was answered 408 only at IDLE_TIMEOUT, holding an upload slot.
 */
const PART_BUFFER_BYTES = 128 * 1024;

/** Text fields a form may have beside the file. */
const MAX_FIELDS = 20;

/**
 * A text field's value, read whole (at most FIELD_SIZE_BYTES: never half a value) and decoded as
 * UTF-8, strictly; undefined when the parser gave up on the form meanwhile (a cut body).
 */
async function readTextField(stream: Readable, name: string): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FIELD_SIZE_BYTES)
      throw new InputError(
        'FIELD_TOO_LARGE',
        `the form field ${quotedName(name)} is larger than ${FIELD_SIZE_BYTES} bytes`,
        413,
      );
    chunks.push(chunk);
  }
  if (!stream.readableEnded) return undefined;
  const text = strictUtf8(Buffer.concat(chunks));
  if (text === undefined)
    throw new InputError('INVALID_UTF8', `the form field ${quotedName(name)} is not valid UTF-8`);
  return text;
}

export interface ReceivedUpload {
  tmpFile: string;
  filename: string;
  fields: Record<string, string>;
}

export async function receiveUpload(request: FastifyRequest, config: AppConfig): Promise<ReceivedUpload> {
  if (!request.isMultipart())
    throw new InputError('NOT_MULTIPART', 'send the song as multipart/form-data with a "file" field', 415);
  // Its text fields are read as UTF-8 (readTextField): a form that says it is Latin-1 is refused.
  checkCharset(request.headers['content-type'], 'form fields');
  await fs.mkdir(tmpDir(config.storageDir), { recursive: true });
  // No prototype: a field named __proto__ or constructor is just a field.
  const fields = Object.create(null) as Record<string, string>;
  let tmpFile: string | undefined;
  let filename = '';
  let lost = false;
  let parts = 0;
  let files = 0;
  let texts = 0;
  try {
    for await (const part of request.parts({
      // One file and MAX_FIELDS text fields; past that the parser stops (TOO_MANY_FIELDS).
      limits: { fileSize: config.maxFileSize, files: 1 + MAX_FIELDS, fieldSize: FIELD_SIZE_BYTES },
      fileHwm: PART_BUFFER_BYTES,
      // Every part comes as bytes, text fields too: the parser decoded a text field itself, and
      // bytes that are not UTF-8 silently became U+FFFD (JSON bodies refuse them: INVALID_UTF8).
      // Which part is the song stays the parser's rule: a filename, or application/octet-stream.
      isPartAFile: () => true,
    })) {
      parts++;
      if (part.type !== 'file') continue;
      if (part.filename !== undefined || part.mimetype === 'application/octet-stream') {
        if (++files > 1) {
          part.file.resume();
          throw new InputError('TOO_MANY_FILES', 'send exactly one file');
        }
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw unexpectedFile(part.fieldname);
        }
        filename = uploadFilename(part.filename || '');
        checkExtension(filename, config);
        tmpFile = path.join(tmpDir(config.storageDir), `${randomUUID()}.upload`);
        // At the limit the stream fails at once: the rest of the body is never read (the route
        // answers 413 and closes the connection), instead of parsing it to the end.
        part.file.once('limit', () => part.file.destroy(tooLarge(config)));
        if (!(await saveFilePart(part.file, tmpFile))) {
          // The parser gave up on the form: its next step says why (a limit, a cut body).
          lost = true;
          continue;
        }
        if (part.file.truncated) throw tooLarge(config);
      } else {
        if (++texts > MAX_FIELDS) throw new InputError('TOO_MANY_FIELDS', 'too many form fields');
        // No name: it was stored as the field "undefined", and a second one failed in the
        // duplicate check's message (an UPLOAD_FAILED that said nothing).
        if (part.fieldname === undefined)
          throw new InputError(
            'UNKNOWN_FIELD',
            'a form part has no name (Content-Disposition: form-data; name="…")',
          );
        // Two values for one field are two answers to one question: refused, not one picked.
        if (Object.hasOwn(fields, part.fieldname))
          throw new InputError(
            'DUPLICATE_FIELD',
            `the form sends ${quotedName(part.fieldname)} more than once`,
          );
        if (part.fieldname === 'file') {
          // The song sent as text (`curl -F file=<song.mp3`): said at once, never read into memory.
          part.file.resume();
          if (files > 0)
            throw new InputError('DUPLICATE_FIELD', `the form sends ${quotedName('file')} more than once`);
          throw noFile(parts, true);
        }
        const value = await readTextField(part.file, part.fieldname);
        if (value === undefined) {
          lost = true;
          continue;
        }
        fields[part.fieldname] = value;
      }
    }
    if (lost) throw interrupted();
  } catch (err) {
    if (tmpFile) await fs.rm(tmpFile, { force: true });
    if (err instanceof InputError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(config);
    // Every part counts as a "file" to the parser (isPartAFile above): its limit is the parts'.
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new InputError('TOO_MANY_FIELDS', 'too many form fields');
    if (code?.startsWith('FST_')) throw new InputError('BAD_MULTIPART', (err as Error).message);
    throw interrupted(err);
  }
  if (!tmpFile) throw noFile(parts, Object.hasOwn(fields, 'file'));
  return { tmpFile, filename, fields };
}

/**
 * Writes a file part to `dest`; false if the part was cut short. The multipart parser destroys
 * the part when it gives up on the form (a limit reached, the body cut short), and a part
 * destroyed after its last byte arrived but before it was read out never settles `pipeline()`
 * (Node 20): the request hung for ever. A close before the end is watched for here instead.
 */
async function saveFilePart(file: Readable, dest: string): Promise<boolean> {
  if (file.destroyed) return false;
  const out = createWriteStream(dest, { flags: 'wx' });
  const written = pipeline(file, out).then(() => true);
  const cutShort = new Promise<boolean>((resolve, reject) =>
    file.once('close', () => {
      if (file.readableEnded) return;
      if (file.errored) reject(file.errored);
      else resolve(false);
    }),
  );
  try {
    const whole = await Promise.race([written, cutShort]);
    if (!whole) await closed(out);
    return whole;
  } catch (err) {
    await closed(out);
    throw err;
  }
  function closed(stream: typeof out): Promise<void> {
    written.catch(() => undefined);
    stream.destroy();
    return new Promise((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
  }
}

function interrupted(cause?: unknown): InputError {
  return new InputError('UPLOAD_FAILED', 'the upload was interrupted or malformed', 400, { cause });
}

/** Why a form brought no song, as far as can be told: no parts at all, or "file" sent as text. */
function noFile(parts: number, fileAsText: boolean): InputError {
  const why =
    parts === 0
      ? 'the body holds no form parts (does it use the boundary its Content-Type names?)'
      : fileAsText
        ? 'the form sends "file" as text, not as a file (a part without filename; curl: -F file=@song.mp3)'
        : 'the form has no "file" field';
  return new InputError('NO_FILE', why);
}

function unexpectedFile(field: string | undefined): InputError {
  if (!field)
    return new InputError(
      'UNEXPECTED_FILE',
      'a file part has no name (Content-Disposition: form-data; name="file"); the song goes in "file"',
    );
  // `curl -F lyrics=@x.txt` attaches x.txt as a file; `-F lyrics=<x.txt` sends its text.
  // The hint repeats the name, so only for a plain one (a form field's, not kilobytes of anything).
  const hint =
    field === 'file' || !/^[a-z_]{1,40}$/.test(field)
      ? ''
      : ` (to send a text file as "${field}", use curl -F '${field}=<file.txt', not @)`;
  return new InputError(
    'UNEXPECTED_FILE',
    `unexpected file field ${quotedName(field)}; the song goes in "file"${hint}`,
  );
}

function tooLarge(config: AppConfig): InputError {
  return new InputError(
    'FILE_TOO_LARGE',
    `the file is larger than the limit of ${config.maxFileSize} bytes`,
    413,
  );
}
