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
});
