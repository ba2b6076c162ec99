import { describe, expect, it } from 'vitest';
import { glibcKoffi, tuneMalloc } from '../../../src/infra/malloc.js';

const koffi = glibcKoffi();

describe('tuneMalloc', () => {
  it('leaves the allocator alone at 0', () => {
    expect(tuneMalloc(0)).toEqual({ applied: false, reason: 'MALLOC_MMAP_THRESHOLD=0' });
  });

  it.runIf(koffi)('keeps a freed large block from raising the threshold (glibc)', () => {
    const libc = koffi!.load('libc.so.6');
    const malloc = libc.func('void *malloc(size_t)');
    const free = libc.func('void free(void *)');
    koffi!.struct('mallinfo_t', {
      arena: 'int',
      ordblks: 'int',
      smblks: 'int',
      hblks: 'int',
      hblkhd: 'int',
      usmblks: 'int',
      fsmblks: 'int',
      uordblks: 'int',
      fordblks: 'int',
      keepcost: 'int',
    });
    const mallinfo = libc.func('mallinfo_t mallinfo()') as () => { hblkhd: number };

    expect(tuneMalloc(1024 * 1024)).toEqual({ applied: true, mmapThreshold: 1024 * 1024 });
    // glibc's default would now raise its threshold to 16 MiB (the freed block's size), and serve
    // the next 2 MiB from the heap, where it would stay when freed. Fixed, it is mapped on its own.
    free(malloc(16 * 1024 * 1024));
    const before = mallinfo().hblkhd;
    const block = malloc(2 * 1024 * 1024);
    const mapped = mallinfo().hblkhd - before;
    free(block);
    expect(mapped).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(mallinfo().hblkhd).toBe(before);
  });

  it.runIf(koffi)('keeps a freed block at the top of the heap with a trim threshold (glibc)', async () => {
    const libc = koffi!.load('libc.so.6');
    const malloc = libc.func('void *malloc(size_t)');
    const free = libc.func('void free(void *)');
    const mallinfo = libc.func('mallinfo_t mallinfo()') as () => { keepcost: number };
    const keep = { trimThreshold: 64 * 1024 * 1024, topPad: 1024 * 1024 };
    expect(tuneMalloc(1024 * 1024, keep)).toEqual({ applied: true, mmapThreshold: 1024 * 1024, ...keep });
    // A block under the mmap threshold comes from the heap; freed, it stays as the heap's free top
    // (glibc's 128 KiB trim threshold would have returned all of it beyond that).
    const blocks = Array.from({ length: 8 }, () => malloc(768 * 1024));
    for (const b of blocks.reverse()) free(b);
    expect(mallinfo().keepcost).toBeGreaterThanOrEqual(6 * 768 * 1024);
  });
});
