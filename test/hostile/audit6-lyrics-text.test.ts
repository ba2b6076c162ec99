import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobOptions } from '../../src/ingest/options.js';
import { startTestService, type TestService } from '../helpers/services.js';
import { finishedJob } from './helpers.js';

/**
 * Audit 6, finding 3: known lyrics kept NUL, ESC, BEL and bidirectional controls. Each lyric word
 * is shown as written (the player, the LRC / SRT / VTT / ASS / UltraStar files, the words burned
 * into the video), so `a\u202eb` reached the picture reversed, and an NFD "café" was another
 * word than the NFC one. The video title already followed the display-text rule (audit 4,
 * finding 13); lyrics now do, line by line: NFC, those characters removed, a tab a space.
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.close());

const lyricsOf = (text: string) => parseJobOptions({ lyrics: text }).options.lyrics;

describe('known lyrics are display text', () => {
  it.each([
    ['NUL', 'a\u0000b', 'ab'],
    ['an ESC sequence', 'x\u001b[31my', 'x[31my'],
    ['BEL, DEL and C1', 'a\u0007b\u007fc\u0085d', 'abcd'],
    ['a right-to-left override', 'song\u202egpj', 'songgpj'],
    ['isolates and marks', '\u2066a\u2069\u200eb\u061c', 'ab'],
    ['NFD', 'cafe\u0301', 'caf\u00e9'],
    ['a tab between words', 'one\ttwo', 'one two'],
  ])('%s', (_name, text, kept) => {
    expect(lyricsOf(text)).toBe(kept);
  });

  it('lines stay lines (CRLF, CR and LF); a text of controls only is no lyrics', () => {
    expect(lyricsOf('one\r\ntwo\rthree\nfour\u0000')).toBe('one\ntwo\nthree\nfour');
    expect(lyricsOf('\u0000\u001b\u202e')).toBeUndefined();
  });

  it('the upload form: what the job keeps', async () => {
    const id = await finishedJob(svc, undefined, [{ name: 'lyrics', value: 'la\u0000 la\u202e\nlo\u001b' }]);
    const job = await svc.services.backends.store.get(id);
    expect(job?.options.lyrics).toBe('la la\nlo');
  });
});
