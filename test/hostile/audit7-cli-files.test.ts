import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/audio.js';
import { karaoke } from '../helpers/cli.js';

/**
 * Audit 7, rows 5 and 6: `karaoke process` read `--lyrics` whole whatever it was (`/dev/zero`:
 * gigabytes into memory before it failed; a 50 MB file read and then refused) and lossily
 * (Latin-1 lyrics became U+FFFD, where the upload form now refuses them); and it showed and
 * stored the audio file's name as it was: a name with ESC sequences wrote them to the terminal.
 */
const dir = tmpDir('karaoke-cli-audit7-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const song = path.join(dir, 'song.wav');
fs.writeFileSync(song, 'not audio at all');

describe('audit 7: --lyrics files', () => {
  it.each([
    ['Latin-1 text', () => write('latin1.txt', Buffer.from('caf\xe9\n', 'latin1')), 'not valid UTF-8'],
    ['a device that never ends', () => '/dev/zero', 'not a regular file'],
    ['a directory', () => dir, 'not a regular file'],
    ['2 MB of lyrics', () => write('big.txt', Buffer.alloc(2 * 1024 * 1024, 0x61)), 'larger than'],
  ])('%s: a usage error, nothing made', async (_name, lyrics, says) => {
    const out = path.join(dir, `out-${Math.random().toString(16).slice(2)}`);
    const r = await karaoke(['process', song, '--out', out, '--lyrics', lyrics()]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(says);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('audit 7: the audio file name is shown as the upload form shows it', () => {
  it('without control or bidirectional characters', async () => {
    const name = path.join(dir, 'x\u001b[2J\u001b]0;owned\u0007\u202egpj.wav');
    fs.writeFileSync(name, 'not audio at all');
    const out = path.join(dir, 'out-name');
    const r = await karaoke(['process', name, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('x[2J]0;ownedgpj.wav');
    const controls = [...r.stderr].filter((c) => {
      const n = c.codePointAt(0)!;
      return (n < 0x20 && c !== '\n' && c !== '\t') || n === 0x7f || n === 0x202e;
    });
    expect(controls).toEqual([]);
  });
});

function write(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}
