// The audio engine: every track decoded into memory and played on one Web Audio clock, so the
// stems stay sample-locked whatever is mixed, muted or swapped in, and seeking moves them all.

/** How quickly a level change glides (s): fast enough to feel live, slow enough not to click. */
const LEVEL_GLIDE_S = 0.015;
/** The analyser's window: about 46 ms at 44.1 kHz. */
const ANALYSER_FFT = 2048;

/**
 * @typedef {object} Track
 * @property {AudioBuffer} buffer
 * @property {GainNode} gain
 * @property {AudioBufferSourceNode | null} source
 */

export class Mixer {
  constructor() {
    /** @type {AudioContext | null} */
    this.ctx = null;
    /** @type {GainNode | null} */
    this.master = null;
    /** @type {AnalyserNode | null} */
    this.analyser = null;
    /** @type {Map<string, Track>} */
    this.tracks = new Map();
    this.playing = false;
    /** Media position (s) at `startedAt` on the audio clock. */
    this.offset = 0;
    this.startedAt = 0;
    this.duration = 0;
  }

  /** The context is made on first use: browsers may refuse one before the page is touched. */
  context() {
    if (!this.ctx) {
      const ctx = new AudioContext();
      this.master = ctx.createGain();
      this.analyser = ctx.createAnalyser();
      this.analyser.fftSize = ANALYSER_FFT;
      this.master.connect(this.analyser);
      this.analyser.connect(ctx.destination);
      this.ctx = ctx;
    }
    return this.ctx;
  }

  /**
   * @param {string} name
   * @param {AudioBuffer} buffer
   * @param {number} level gain, 0…1
   */
  add(name, buffer, level) {
    const ctx = this.context();
    this.remove(name);
    const gain = ctx.createGain();
    gain.gain.value = level;
    gain.connect(/** @type {GainNode} */ (this.master));
    /** @type {Track} */
    const track = { buffer, gain, source: null };
    this.tracks.set(name, track);
    this.duration = Math.max(...[...this.tracks.values()].map((t) => t.buffer.duration));
    // A track that arrives while playing joins at the current position, on the same clock.
    if (this.playing) this.startSource(track, ctx.currentTime, this.position());
  }

  /** @param {string} name */
  remove(name) {
    const t = this.tracks.get(name);
    if (!t) return;
    this.stopSource(t);
    t.gain.disconnect();
    this.tracks.delete(name);
    this.duration = Math.max(0, ...[...this.tracks.values()].map((x) => x.buffer.duration));
  }

  /** @param {string} name */
  has(name) {
    return this.tracks.has(name);
  }

  /**
   * @param {string} name
   * @param {number} level gain, 0…1
   */
  setLevel(name, level) {
    const t = this.tracks.get(name);
    if (!t || !this.ctx) return;
    t.gain.gain.setTargetAtTime(level, this.ctx.currentTime, LEVEL_GLIDE_S);
  }

  /** The playback position in seconds of media time, read from the audio clock. */
  position() {
    if (!this.playing || !this.ctx) return this.offset;
    return Math.min(this.duration, this.offset + Math.max(0, this.ctx.currentTime - this.startedAt));
  }

  async play() {
    const ctx = this.context();
    if (this.playing || this.tracks.size === 0) return;
    if (this.offset >= this.duration) this.offset = 0;
    this.playing = true;
    this.startedAt = ctx.currentTime;
    for (const t of this.tracks.values()) this.startSource(t, this.startedAt, this.offset);
    await ctx.resume();
  }

  pause() {
    if (!this.playing) return;
    this.offset = this.position();
    this.playing = false;
    for (const t of this.tracks.values()) this.stopSource(t);
  }

  /** @param {number} t */
  seek(t) {
    const to = Math.max(0, Math.min(Number.isFinite(t) ? t : 0, this.duration));
    if (!this.playing) {
      this.offset = to;
      return;
    }
    for (const tr of this.tracks.values()) this.stopSource(tr);
    this.offset = to;
    this.startedAt = /** @type {AudioContext} */ (this.ctx).currentTime;
    for (const tr of this.tracks.values()) this.startSource(tr, this.startedAt, to);
  }

  /** Root-mean-square level of what is playing now, from the master output (0 when silent). */
  outputRms() {
    if (!this.analyser) return 0;
    const data = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    return Math.sqrt(sum / data.length);
  }

  /** Drops every track (another song opens); the context is kept for the next one. */
  clear() {
    this.pause();
    for (const name of [...this.tracks.keys()]) this.remove(name);
    this.offset = 0;
    this.duration = 0;
  }

  /**
   * @param {Track} t
   * @param {number} when audio-clock time
   * @param {number} offset media time
   */
  startSource(t, when, offset) {
    const ctx = /** @type {AudioContext} */ (this.ctx);
    const src = ctx.createBufferSource();
    src.buffer = t.buffer;
    src.connect(t.gain);
    if (offset < t.buffer.duration) src.start(when, offset);
    t.source = src;
  }

  /** @param {Track} t */
  stopSource(t) {
    if (!t.source) return;
    try {
      t.source.stop();
    } catch {
      // Never started (its offset was past its end): nothing to stop.
    }
    t.source.disconnect();
    t.source = null;
  }
}
