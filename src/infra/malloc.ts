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
const M_TRIM_THRESHOLD = -1;
const M_TOP_PAD = -2;
const M_MMAP_THRESHOLD = -3;

/**
 * How much free memory at the top of a heap malloc keeps instead of returning it (`trimThreshold`,
 * glibc's `M_TRIM_THRESHOLD`), and how much more than asked it takes when a heap grows (`topPad`,
 * `M_TOP_PAD`); 0 leaves glibc's. The model's sub-threshold tensors are freed and allocated again
 * on every run: returned and grown anew, their pages are faulted in (and zeroed) every time.
 */
export interface MallocKeep {
  trimThreshold: number;
  topPad: number;
}

export type MallocTuning =
  ({ applied: true; mmapThreshold: number } & Partial<MallocKeep>) | { applied: false; reason: string };

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

/** mallopt takes a C int. */
const cInt = (bytes: number): number => Math.min(Math.floor(bytes), 2 ** 31 - 1);

/**
 * Fixes malloc's mmap threshold at `mmapThreshold` bytes for the whole process (every thread),
 * and with `keep` its trim threshold and top pad (each > 0); `mmapThreshold` 0 leaves the allocator
 * as it is. Calling it again with the same values changes nothing.
 */
export function tuneMalloc(mmapThreshold: number, keep?: Partial<MallocKeep>): MallocTuning {
  if (mmapThreshold <= 0) return { applied: false, reason: 'MALLOC_MMAP_THRESHOLD=0' };
  const lib = loadLibc();
  if (!lib) return { applied: false, reason: 'not glibc, or the optional koffi is not installed' };
  const value = cInt(mmapThreshold);
  if (lib.mallopt(M_MMAP_THRESHOLD, value) !== 1)
    return { applied: false, reason: `mallopt refused ${value}` };
  const tuning: MallocTuning = { applied: true, mmapThreshold: value };
  const trim = cInt(keep?.trimThreshold ?? 0);
  if (trim > 0 && lib.mallopt(M_TRIM_THRESHOLD, trim) === 1) tuning.trimThreshold = trim;
  const pad = cInt(keep?.topPad ?? 0);
  if (pad > 0 && lib.mallopt(M_TOP_PAD, pad) === 1) tuning.topPad = pad;
  return tuning;
}
