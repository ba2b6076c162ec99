import type { PcmAudio } from '../audio/pcm.js';

/**
 * The decoded mixture of each running job, loaded once per process and shared by the stages
 * that run beside each other (and handed to stage threads). Released when the job is assembled
 * or cancelled.
 */
export class MixCache {
  private readonly entries = new Map<string, Promise<PcmAudio>>();

  get(jobId: string, load: () => Promise<PcmAudio>): Promise<PcmAudio> {
    let entry = this.entries.get(jobId);
    if (!entry) {
      entry = load();
      entry.catch(() => this.entries.delete(jobId));
      this.entries.set(jobId, entry);
    }
    return entry;
  }

  /** The audio prepare just decoded, so stages here need not decode it again. */
  prime(jobId: string, audio: PcmAudio): void {
    this.entries.set(jobId, Promise.resolve(audio));
  }

  release(jobId: string): void {
    this.entries.delete(jobId);
  }
}
