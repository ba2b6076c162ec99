// Karaoke video: asks the server to render the MP4 of the instrumental with the lyrics burned in
// (POST /api/jobs/{id}/video), follows its progress, and offers the download once it is ready.

import { api } from './api.js';
import { $ } from './util.js';

const POLL_MS = 1000;
/** Bumped per job shown, so a poll for a job no longer open stops. */
let generation = 0;

/**
 * @param {string} jobId
 * @param {{ video: { url: string } }[]} ready the results' videos already rendered
 */
export function setupVideo(jobId, ready) {
  const gen = ++generation;
  const button = /** @type {HTMLButtonElement} */ ($('video-make'));
  const status = $('video-status');
  $('video-row').hidden = false;
  status.replaceChildren();
  button.disabled = false;
  if (ready.length > 0) showLink(ready[ready.length - 1].video.url);
  button.onclick = async () => {
    button.disabled = true;
    status.textContent = 'Rendering the video…';
    try {
      let v = await api(`/api/jobs/${jobId}/video`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({}),
      });
      while (v.status === 'queued' || v.status === 'running') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        if (gen !== generation) return;
        v = await api(v.links.self);
        status.textContent = `Rendering the video… ${Math.round(v.progress)}%`;
      }
      if (gen !== generation) return;
      if (v.status === 'completed') showLink(v.files.video);
      else status.textContent = `The video failed: ${v.error ?? 'unknown error'}`;
    } catch (err) {
      if (gen === generation)
        status.textContent = `The video failed: ${err instanceof Error ? err.message : err}`;
    } finally {
      if (gen === generation) button.disabled = false;
    }
  };
}

/** @param {string} url */
function showLink(url) {
  const a = document.createElement('a');
  a.href = url;
  a.download = 'karaoke.mp4';
  a.className = 'file-link';
  a.textContent = 'Download the karaoke video (MP4)';
  $('video-status').replaceChildren(a);
}

export function resetVideo() {
  generation++;
  $('video-row').hidden = true;
  $('video-status').replaceChildren();
}
