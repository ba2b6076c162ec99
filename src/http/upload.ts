import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import '@fastify/multipart';
import type { AppConfig } from '../config.js';
import { InputError } from '../errors.js';
import { checkExtension } from '../ingest/validate.js';
import { tmpDir } from '../storage/paths.js';

/**
 * Streams a multipart upload to a temp file under STORAGE_DIR/tmp (never the whole file in
 * memory), enforcing MAX_FILE_SIZE while streaming, and collects the text fields in any order.
 * On any error the temp file is removed.
 */
export interface ReceivedUpload {
  tmpFile: string;
  filename: string;
  fields: Record<string, string>;
}

export async function receiveUpload(request: FastifyRequest, config: AppConfig): Promise<ReceivedUpload> {
  if (!request.isMultipart())
    throw new InputError('NOT_MULTIPART', 'send the song as multipart/form-data with a "file" field', 415);
  await fs.mkdir(tmpDir(config.storageDir), { recursive: true });
  // No prototype: a field named __proto__ or constructor is just a field.
  const fields = Object.create(null) as Record<string, string>;
  let tmpFile: string | undefined;
  let filename = '';
  try {
    for await (const part of request.parts({
      limits: { fileSize: config.maxFileSize, files: 1, fields: 20 },
    })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw unexpectedFile(part.fieldname);
        }
        filename = path.basename(part.filename || '');
        checkExtension(filename, config);
        tmpFile = path.join(tmpDir(config.storageDir), `${randomUUID()}.upload`);
        // At the limit the stream fails at once: the rest of the body is never read (the route
        // answers 413 and closes the connection), instead of parsing it to the end.
        part.file.once('limit', () => part.file.destroy(tooLarge(config)));
        await pipeline(part.file, createWriteStream(tmpFile, { flags: 'wx' }));
        if (part.file.truncated) throw tooLarge(config);
      } else {
        fields[part.fieldname] = typeof part.value === 'string' ? part.value : String(part.value ?? '');
      }
    }
  } catch (err) {
    if (tmpFile) await fs.rm(tmpFile, { force: true });
    if (err instanceof InputError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(config);
    if (code === 'FST_FILES_LIMIT') throw new InputError('TOO_MANY_FILES', 'send exactly one file');
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new InputError('TOO_MANY_FIELDS', 'too many form fields');
    if (code?.startsWith('FST_')) throw new InputError('BAD_MULTIPART', (err as Error).message);
    throw new InputError('UPLOAD_FAILED', 'the upload was interrupted or malformed', 400, { cause: err });
  }
  if (!tmpFile) throw new InputError('NO_FILE', 'the form has no "file" field');
  return { tmpFile, filename, fields };
}

function unexpectedFile(field: string): InputError {
  // `curl -F lyrics=@x.txt` attaches x.txt as a file; `-F lyrics=<x.txt` sends its text.
  const hint =
    field === 'file' ? '' : ` (to send a text file as "${field}", use curl -F '${field}=<file.txt', not @)`;
  return new InputError(
    'UNEXPECTED_FILE',
    `unexpected file field "${field}"; the song goes in "file"${hint}`,
  );
}

function tooLarge(config: AppConfig): InputError {
  return new InputError(
    'FILE_TOO_LARGE',
    `the file is larger than the limit of ${config.maxFileSize} bytes`,
    413,
  );
}
