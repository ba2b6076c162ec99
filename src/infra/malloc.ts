/**
 * @file The C allocator's settings that decide how much freed memory stays in the process while
 * the separation model runs. onnxruntime allocates each run's intermediates with malloc (its arena
 * is off). glibc's default mmap threshold rises to the size of the largest block freed (up to
 * 32 MiB), so after the first run the model's 1–30 MB tensors come from malloc's heaps, and freed
 * ones stay there, fragmented: on the 3-minute song that is 0.2–0.45 GiB of the peak, growing
 * through the song (BENCHMARKS.md, issue 15). A fixed threshold (`mallopt(M_MMAP_THRESHOLD)`, the
 * same as glibc's `MALLOC_MMAP_THRESHOLD_` variable, but settable after start) maps every block
 * above it on its own and gives it back when freed.
 *
 * The call goes through `koffi` (an optional dependency with prebuilt binaries), on glibc only.
 * Where either is missing, nothing changes and `tuneMalloc` says why.
 */

import { createRequire } from 'node:module';

/** glibc's mallopt parameter numbers (malloc.h). */
const M_MMAP_THRESHOLD = -3;

export type MallocTuning = { applied: true; mmapThreshold: number } | { applied: false; reason: string };

interface Libc {
  mallopt(param: number, value: number): number;
}

/** What this project uses of koffi (the tests also declare structs). */
export interface Koffi {
  load(name: string): { func(signature: string): (...args: unknown[]) => unknown };
  struct(name: string, fields: Record<string, string>): unknown;
}

/** koffi where the C library is glibc (the only one whose mallopt this tunes), else undefined. */
export function glibcKoffi(): Koffi | undefined {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  if (process.platform !== 'linux' || !report?.header?.glibcVersionRuntime) return undefined;
  try {
    return createRequire(import.meta.url)('koffi') as Koffi;
  } catch {
    return undefined;
  }
}

let libc: Libc | null | undefined;

/** glibc's mallopt through koffi, or null where there is no glibc or no koffi. */
function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  try {
    const mallopt = glibcKoffi()?.load('libc.so.6').func('int mallopt(int, int)');
    if (mallopt) libc = { mallopt: (p, v) => mallopt(p, v) as number };
  } catch {
    libc = null;
  }
  return libc;
}

/**
 * Fixes malloc's mmap threshold at `mmapThreshold` bytes for the whole process (every thread);
 * 0 leaves the allocator as it is. Calling it again with the same value changes nothing.
 */
export function tuneMalloc(mmapThreshold: number): MallocTuning {
  if (mmapThreshold <= 0) return { applied: false, reason: 'MALLOC_MMAP_THRESHOLD=0' };
  const lib = loadLibc();
  if (!lib) return { applied: false, reason: 'not glibc, or the optional koffi is not installed' };
  const value = Math.min(Math.floor(mmapThreshold), 2 ** 31 - 1); // mallopt takes a C int
  return lib.mallopt(M_MMAP_THRESHOLD, value) === 1
    ? { applied: true, mmapThreshold: value }
    : { applied: false, reason: `mallopt refused ${value}` };
}
