import fs from 'node:fs/promises';
import type { PcmAudio } from '../audio/pcm.js';
import { decodeWav } from '../audio/wav.js';

/**
 * The decoded mixture of each running job, read from work/mix.wav once per process and shared
 * by the stages that run beside each other. Released when the job is assembled or cancelled.
 */
export class MixCache {
  private readonly entries = new Map<string, Promise<PcmAudio>>();

  get(jobId: string, file: string): Promise<PcmAudio> {
    let entry = this.entries.get(jobId);
    if (!entry) {
      entry = fs.readFile(file).then((buf) => decodeWav(buf));
      entry.catch(() => this.entries.delete(jobId));
      this.entries.set(jobId, entry);
    }
    return entry;
  }

  /** The audio prepare just decoded, so stages here need not read it back. */
  prime(jobId: string, audio: PcmAudio): void {
    this.entries.set(jobId, Promise.resolve(audio));
  }

  release(jobId: string): void {
    this.entries.delete(jobId);
  }
}
