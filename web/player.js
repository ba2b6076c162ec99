// The <audio> element: the track menu, the playback clock that drives lyrics and beats, and the
// keyboard shortcuts.

import { $, el } from './util.js';

const KEY_SEEK_S = 5;

let raf = 0;
// Set by initPlayer: what follows the playback position (lyrics, beat indicator).
let onTime;

/** `follow(t)` runs on every frame while playing and after every seek, pause or track change. */
export function initPlayer(follow) {
  onTime = follow;
  const audio = $('audio');
  const loop = () => {
    sync();
    raf = audio.paused ? 0 : requestAnimationFrame(loop);
  };
  audio.addEventListener('play', () => {
    cancelAnimationFrame(raf);
    raf = requestAnimationFrame(loop);
  });
  for (const type of ['seeked', 'timeupdate', 'loadedmetadata', 'pause', 'ended'])
    audio.addEventListener(type, sync);
  audio.addEventListener('error', () => {
    if (!audio.getAttribute('src')) return;
    $('no-audio').textContent = 'This track could not be played by your browser; download it below.';
    $('no-audio').hidden = false;
  });
  $('track').addEventListener('change', () => {
    // Switching track keeps the position and the play state, like a mixer's solo button.
    const at = audio.currentTime;
    const playing = !audio.paused;
    $('no-audio').hidden = true;
    audio.src = $('track').value;
    audio.addEventListener(
      'loadedmetadata',
      () => {
        audio.currentTime = Math.min(at, audio.duration || at);
        if (playing) audio.play().catch(() => undefined);
      },
      { once: true },
    );
  });
}

/** Space plays/pauses, arrows step 5 s, unless the key belongs to a control that has focus. */
export function initShortcuts() {
  const audio = $('audio');
  document.addEventListener('keydown', (e) => {
    if ($('results').hidden || !audio.getAttribute('src') || e.altKey || e.ctrlKey || e.metaKey) return;
    if (
      e.target instanceof Element &&
      e.target.closest('input, textarea, select, button, a, audio, summary, [contenteditable]')
    )
      return;
    if (e.key === ' ') {
      if (audio.paused) audio.play().catch(() => undefined);
      else audio.pause();
    } else if (e.key === 'ArrowLeft') audio.currentTime = Math.max(0, audio.currentTime - KEY_SEEK_S);
    else if (e.key === 'ArrowRight')
      audio.currentTime = Math.min(audio.duration || Infinity, audio.currentTime + KEY_SEEK_S);
    else return;
    e.preventDefault();
  });
}

/** Brings lyrics and beats to the current position at once, without waiting for the next event. */
export function sync() {
  onTime($('audio').currentTime || 0);
}

export function seekTo(t) {
  const audio = $('audio');
  if (!audio.src) return;
  audio.currentTime = t;
  audio.play().catch(() => undefined);
  sync();
}

export function setupPlayer(tracks) {
  const select = $('track');
  const audio = $('audio');
  select.replaceChildren(
    ...tracks.map((t) => el('option', { value: t.url, text: t.label ?? capitalize(t.name) })),
  );
  $('no-audio').hidden = tracks.length > 0;
  audio.hidden = tracks.length === 0;
  select.disabled = tracks.length < 2;
  if (tracks.length > 0) audio.src = tracks[0].url;
}

export function resetPlayer() {
  const audio = $('audio');
  audio.pause();
  audio.removeAttribute('src');
  audio.load();
  cancelAnimationFrame(raf);
  $('no-audio').hidden = true;
}

function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
