// The player: transport (play, seek, time), the mixer's controls (guide vocal level, the other
// stems behind a disclosure), the frame loop that drives lyrics, beats and the pitch lane from
// the audio clock, and the keyboard shortcuts. All sound goes through one Mixer (mixer.js).

import { authHeaders } from './api.js';
import { Mixer } from './mixer.js';
import { $, fmtTime, input } from './util.js';

const KEY_SEEK_S = 5;
/** The guide vocal starts low: present enough to follow, quiet enough to sing over. */
const DEFAULT_VOCAL_LEVEL = 35;
const SLIDER_MAX = 100;
const STEM_NAMES = ['drums', 'bass', 'other'];

/**
 * @typedef {object} TrackFile
 * @property {string} name
 * @property {string} url
 * @property {string} [label]
 */
/**
 * What is loaded: the job's stems, or a key/tempo variant (its instrumental and its guide mix).
 * @typedef {object} PlaySet
 * @property {'song' | 'variant'} kind
 * @property {Record<string, string>} urls track name → url
 * @property {number} tempo media seconds × tempo = seconds of the original song
 */

const mixer = new Mixer();
/** @type {(t: number) => void} */
let onTime = () => undefined;
let raf = 0;
/** @type {PlaySet | null} */
let current = null;
/** The song's own stems, kept to come back to after a variant. */
/** @type {PlaySet | null} */
let songSet = null;
let stemsLoaded = false;
let loading = 0;

/** Slider value (0…100) → gain: squared, so the slider's middle sounds like the middle. */
export const levelGain = (/** @type {number} */ v) =>
  (Math.max(0, Math.min(SLIDER_MAX, v)) / SLIDER_MAX) ** 2;

/** @param {number} v */
function levelText(v) {
  if (v <= 0) return 'Off';
  if (v >= SLIDER_MAX) return 'Full';
  return `${Math.round(20 * Math.log10(levelGain(v)))} dB`;
}

/** `follow(t)` runs on every frame while playing and after every seek, pause or track change. */
export function initPlayer(/** @type {(t: number) => void} */ follow) {
  onTime = follow;
  $('play').addEventListener('click', () => togglePlay());
  const seekBar = input('seek');
  seekBar.addEventListener('input', () => seekTo(Number(seekBar.value), { play: false }));
  const vocal = input('vocal-level');
  vocal.value = String(DEFAULT_VOCAL_LEVEL);
  vocal.addEventListener('input', () => applyLevels());
  for (const s of STEM_NAMES) input(`level-${s}`).addEventListener('input', () => applyLevels());
  $('more-stems').addEventListener('toggle', () => {
    if (/** @type {HTMLDetailsElement} */ ($('more-stems')).open) void loadStems();
  });
  applyLevels();
}

/** Space plays/pauses, arrows step 5 s, unless the key belongs to a control that has focus. */
export function initShortcuts() {
  document.addEventListener('keydown', (e) => {
    if ($('results').hidden || mixer.tracks.size === 0 || e.altKey || e.ctrlKey || e.metaKey) return;
    if (
      e.target instanceof Element &&
      e.target.closest('input, textarea, select, button, a, summary, [contenteditable]')
    )
      return;
    if (e.key === ' ') togglePlay();
    else if (e.key === 'ArrowLeft') seekTo(position() - KEY_SEEK_S, { play: false });
    else if (e.key === 'ArrowRight') seekTo(position() + KEY_SEEK_S, { play: false });
    else return;
    e.preventDefault();
  });
}

/** The position in media seconds, from the audio clock. */
export function position() {
  return mixer.position();
}

/** The tempo factor of what plays (1 for the song itself). */
export function tempo() {
  return current?.tempo ?? 1;
}

/** The mixer's output level now (RMS): what the listener hears. */
export function outputLevel() {
  return mixer.outputRms();
}

export function isPlaying() {
  return mixer.playing;
}

function togglePlay() {
  if (mixer.playing) {
    mixer.pause();
    stopLoop();
  } else if (mixer.tracks.size > 0) {
    void mixer.play().catch(() => undefined);
    startLoop();
  }
  sync();
}

function startLoop() {
  cancelAnimationFrame(raf);
  const loop = () => {
    if (mixer.playing && mixer.position() >= mixer.duration) mixer.pause();
    sync();
    raf = mixer.playing ? requestAnimationFrame(loop) : 0;
  };
  raf = requestAnimationFrame(loop);
}

function stopLoop() {
  cancelAnimationFrame(raf);
  raf = 0;
}

/** Brings everything that follows the clock to the current position at once. */
export function sync() {
  const t = mixer.position();
  const playBtn = $('play');
  playBtn.textContent = mixer.playing ? '❚❚' : '▶';
  playBtn.setAttribute('aria-label', mixer.playing ? 'Pause' : 'Play');
  const seekBar = input('seek');
  seekBar.max = String(mixer.duration || 0);
  if (document.activeElement !== seekBar) seekBar.value = String(t);
  $('time').textContent = `${fmtTime(t)} / ${fmtTime(mixer.duration)}`;
  onTime(t);
}

/**
 * @param {number} t media seconds
 * @param {{ play?: boolean }} [opts]
 */
export function seekTo(t, { play = true } = {}) {
  if (mixer.tracks.size === 0) return;
  mixer.seek(t);
  if (play && !mixer.playing) {
    void mixer.play().catch(() => undefined);
    startLoop();
  }
  sync();
}

/** Shows the job's tracks and loads the ones the mix starts with. */
export async function setupPlayer(/** @type {TrackFile[]} */ tracks) {
  const urls = Object.fromEntries(tracks.map((t) => [t.name, t.url]));
  songSet = { kind: 'song', urls, tempo: 1 };
  stemsLoaded = false;
  const hasVocalMix = Boolean(urls.instrumental && urls.vocals);
  $('vocal-control').hidden = !hasVocalMix;
  const stems = STEM_NAMES.filter((s) => urls[s]);
  $('more-stems').hidden = !hasVocalMix || stems.length === 0;
  for (const s of STEM_NAMES) $(`stem-row-${s}`).hidden = !urls[s];
  $('no-audio').hidden = tracks.length > 0;
  $('transport').hidden = tracks.length === 0;
  if (tracks.length === 0) return;
  await switchTo(songSet);
}

/**
 * Plays `set` at the same place in the song, loading what it needs first while the old set keeps
 * playing: the swap itself is one step on the audio clock. `onSwap` re-times what follows the
 * clock (lyrics, beats, notes) at that same moment.
 * @param {PlaySet} set
 * @param {() => void} [onSwap]
 */
export async function switchTo(set, onSwap) {
  const names = initialTracks(set);
  setLoading(+1);
  try {
    const buffers = await Promise.all(names.map((n) => decodeTrack(set.urls[n])));
    if (set.kind === 'song' && set !== songSet) return;
    const at = (mixer.position() * tempo()) / set.tempo;
    const wasPlaying = mixer.playing;
    mixer.pause();
    for (const n of [...mixer.tracks.keys()]) mixer.remove(n);
    names.forEach((n, i) => mixer.add(n, buffers[i], 0));
    current = set;
    stemsLoaded = false;
    applyLevels();
    mixer.seek(at);
    onSwap?.();
    if (set.kind === 'song' && /** @type {HTMLDetailsElement} */ ($('more-stems')).open) void loadStems();
    $('more-stems').classList.toggle('inactive', set.kind !== 'song');
    if (wasPlaying) {
      await mixer.play().catch(() => undefined);
      startLoop();
    }
  } finally {
    setLoading(-1);
    sync();
  }
}

/** Goes back to the job's own stems at the same place in the song. @param {() => void} [onSwap] */
export async function backToSong(onSwap) {
  if (!songSet || current === songSet) return;
  await switchTo(songSet, onSwap);
}

/** @param {PlaySet} set */
function initialTracks(set) {
  if (set.kind === 'variant') return Object.keys(set.urls);
  if (set.urls.instrumental && set.urls.vocals) return ['instrumental', 'vocals'];
  return [set.urls.original ? 'original' : Object.keys(set.urls)[0]];
}

/** @type {Map<string, Promise<AudioBuffer>>} */
const decoded = new Map();

/** @param {string} url */
function decodeTrack(url) {
  let p = decoded.get(url);
  if (!p) {
    p = fetch(url, { headers: authHeaders() })
      .then((res) => {
        if (!res.ok) throw new Error(`the server answered ${res.status}`);
        return res.arrayBuffer();
      })
      .then((bytes) => mixer.context().decodeAudioData(bytes));
    p.catch(() => decoded.delete(url));
    decoded.set(url, p);
  }
  return p;
}

/** Drums, bass and other replace the instrumental once all of them are in (same sum). */
async function loadStems() {
  const set = current;
  if (!set || set.kind !== 'song' || stemsLoaded) return;
  const names = STEM_NAMES.filter((s) => set.urls[s]);
  setLoading(+1);
  try {
    const buffers = await Promise.all(names.map((n) => decodeTrack(set.urls[n])));
    if (current !== set) return;
    names.forEach((n, i) => mixer.add(n, buffers[i], 0));
    stemsLoaded = true;
    applyLevels();
  } catch {
    $('mixer-note').textContent = 'The separate stems could not be loaded.';
  } finally {
    setLoading(-1);
  }
}

/** Sets every track's gain from the sliders and what is loaded. */
function applyLevels() {
  const v = Number(input('vocal-level').value);
  $('vocal-level-text').textContent = levelText(v);
  for (const s of STEM_NAMES) $(`level-${s}-text`).textContent = levelText(Number(input(`level-${s}`).value));
  const g = levelGain(v);
  if (!current) return;
  if (current.kind === 'variant') {
    const guide = mixer.has('guide');
    mixer.setLevel('instrumental', guide ? 1 - g : 1);
    mixer.setLevel('guide', g);
    return;
  }
  mixer.setLevel('original', 1);
  mixer.setLevel('vocals', g);
  mixer.setLevel('instrumental', stemsLoaded ? 0 : 1);
  for (const s of STEM_NAMES)
    mixer.setLevel(s, stemsLoaded ? levelGain(Number(input(`level-${s}`).value)) : 0);
}

/** @param {number} delta */
function setLoading(delta) {
  loading += delta;
  $('play').toggleAttribute('disabled', loading > 0 && mixer.tracks.size === 0);
  $('mixer-status').textContent = loading > 0 ? 'Loading audio…' : '';
}

export function resetPlayer() {
  mixer.clear();
  decoded.clear();
  stopLoop();
  current = null;
  songSet = null;
  stemsLoaded = false;
  $('no-audio').hidden = true;
  $('mixer-note').textContent = '';
  sync();
}
