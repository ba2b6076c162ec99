import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/audio.js';
import {
  BACKEND_MODES,
  multipart,
  startTestService,
  type TestService,
  uploadTempFiles,
} from '../helpers/services.js';

/**
 * Audit 3: the name of an uploaded file was stored as sent (after a basename): NUL, BEL,
 * CR/LF-free control bytes and the right-to-left override U+202E came back in every status,
 * and a 5000-character name was kept whole. One rule now (src/http/upload-filename.ts):
 * control and bidi characters removed, NFC, at most 255 characters (else 400
 * FILENAME_TOO_LONG, nothing stored). Both job stores keep the same name.
 */
const wav = toneWav(0.5);

describe.each(BACKEND_MODES)('%s mode', (mode) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ mode, workers: false });
  });
  afterAll(() => svc.close());

  const upload = (filename: string | Buffer) => {
    const { payload, headers } =
      typeof filename === 'string'
        ? multipart([{ name: 'file', value: wav, filename }])
        : rawNamePart(filename);
    return svc.app.inject({ method: 'POST', url: '/api/process', payload, headers });
  };
  const storedName = async (filename: string | Buffer) => {
    const res = await upload(filename);
    expect(res.statusCode, res.body).toBe(202);
    const status = await svc.app.inject({ url: `/api/status/${res.json().job_id}` });
    return status.json().original_filename as string;
  };

  it.each([
    ['a\u0000b.wav', 'ab.wav'],
    ['\u0000.wav', '.wav'],
    ['bell\u0007\u001b[31m.wav', 'bell[31m.wav'],
    ['x\u202Egpj.wav', 'xgpj.wav'],
    ['\u2066a\u2069\u200f.wav', 'a.wav'],
    ['../../etc/x.wav', 'x.wav'],
    ['..\\..\\y.wav', 'y.wav'],
    ['  spaced  .wav', 'spaced  .wav'],
    ['e\u0301.wav', '\u00e9.wav'],
  ])('%j is stored as %j', async (sent, kept) => {
    expect(await storedName(sent)).toBe(kept);
  });

  it('bytes that are not UTF-8 are stored as U+FFFD, never as raw bytes', async () => {
    const name = await storedName(Buffer.from([0xff, 0xfe, 0xc0, 0xae, 0x2e, 0x77, 0x61, 0x76]));
    expect(name.endsWith('.wav')).toBe(true);
    expect([...name].every((c) => c.charCodeAt(0) >= 0x20)).toBe(true);
    expect(name).toContain('\ufffd');
  });

  it('a name of 255 characters is kept; 256 is 400 FILENAME_TOO_LONG and nothing is left', async () => {
    const ok = `${'é'.repeat(251)}.wav`;
    expect(await storedName(ok)).toBe(ok);
    const before = (await svc.app.inject({ url: '/api/jobs?limit=200' })).json().total as number;
    const res = await upload(`${'a'.repeat(5000)}.wav`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('FILENAME_TOO_LONG');
    expect((await upload(`${'a'.repeat(252)}.wav`)).statusCode).toBe(400);
    expect((await svc.app.inject({ url: '/api/jobs?limit=200' })).json().total).toBe(before);
    expect(uploadTempFiles(svc)).toEqual([]);
  });
});

/** A form whose file name is the given bytes, as a client that does not speak UTF-8 sends it. */
function rawNamePart(name: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const b = 'hostile-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="`),
    name,
    Buffer.from('"\r\nContent-Type: audio/wav\r\n\r\n'),
    wav,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}
