/**
 * @file The decoded mixture of running jobs, loaded once per process and shared by the stages that
 * run beside each other (and handed to stage threads). Released when the job is assembled or
 * cancelled. Bounded: a burst of uploads would otherwise keep every queued song decoded in
 * memory (≈ 63 MB per 3 minutes); the least recently used entries are dropped and decoded again
 * when their stages finally run. The audio is kept on shared memory (sharedPcm), so a stage thread
 * reads the same copy instead of receiving its own; stages read the mixture and never write into it.
 */

import { sharedPcm, type PcmAudio } from '../audio/pcm.js';

export const MIX_CACHE_ENTRIES = 3;

export class MixCache {
  private readonly entries = new Map<string, Promise<PcmAudio>>();

  constructor(private readonly maxEntries = MIX_CACHE_ENTRIES) {}

  get(jobId: string, load: () => Promise<PcmAudio>): Promise<PcmAudio> {
    let entry = this.entries.get(jobId);
    if (!entry) {
      entry = load().then(sharedPcm);
      entry.catch(() => {
        if (this.entries.get(jobId) === entry) this.entries.delete(jobId);
      });
    }
    this.put(jobId, entry);
    return entry;
  }

  /** The audio prepare just decoded, so stages here need not decode it again. */
  prime(jobId: string, audio: PcmAudio): void {
    this.put(jobId, Promise.resolve(sharedPcm(audio)));
  }

  release(jobId: string): void {
    this.entries.delete(jobId);
  }

  has(jobId: string): boolean {
    return this.entries.has(jobId);
  }

  private put(jobId: string, entry: Promise<PcmAudio>): void {
    this.entries.delete(jobId); // re-insert: Map order is the recency order
    this.entries.set(jobId, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
