// The open job: its head card (title, status, progress, errors), live updates over the event
// stream with polling as the fallback, cancel and delete, and its results once it ends.

import { ApiError, api } from './api.js';
import { markOpenJob, refreshJobs, updateJobListItem } from './jobs-list.js';
import { clearResults, loadResults } from './results.js';
import { STAGE_LABEL, buildStageCards, renderStages } from './stages.js';
import {
  $,
  STATUS_TEXT,
  TERMINAL_JOB,
  el,
  fmtBytes,
  fmtTime,
  fmtWhen,
  pct,
  reducedMotion,
  setBadge,
} from './util.js';

const APP_TITLE = 'Karaoke';
const POLL_MS = 1000;
// Below this width the job view sits under the form and the list, out of sight.
const narrowScreen = window.matchMedia('(max-width: 820px)');

const state = {
  /** @type {string | null} */
  jobId: null,
  /** @type {any} the job's status record, as the API sends it */
  job: null,
  /** @type {EventSource | null} */
  events: null,
  pollTimer: 0,
  /** @type {string | null} */
  resultsFor: null,
  lastLive: '',
};

const resultsView = {
  isOpen: (/** @type {string} */ id) => state.jobId === id,
  job: () => state.job,
  showError: showJobError,
};

export const openJobId = () => state.jobId;

/** @param {string} id @param {{ reveal?: boolean }} [opts] */
export function openJob(id, { reveal = false } = {}) {
  if (reveal && narrowScreen.matches)
    requestAnimationFrame(() => $('job').scrollIntoView({ behavior: reducedMotion ? 'auto' : 'smooth' }));
  if (state.jobId === id) return;
  stopFollowing();
  clearJob();
  state.jobId = id;
  state.job = null;
  state.resultsFor = null;
  state.lastLive = '';
  if (location.hash !== `#job=${id}`) history.replaceState(null, '', `#job=${id}`);
  markOpenJob(id);
  $('welcome').hidden = true;
  $('job').hidden = false;
  document.body.classList.add('job-open');
  $('results').hidden = true;
  $('job-title').textContent = 'Loading…';
  buildStageCards();
  api(`/api/status/${id}`)
    .then((job) => {
      if (state.jobId !== id) return;
      onStatus(job);
      if (!TERMINAL_JOB.has(job.status)) follow(id, job.links?.events ?? `/api/jobs/${id}/events`);
    })
    .catch((err) => {
      if (state.jobId !== id) return;
      $('job-title').textContent = 'Job not found';
      showJobError(err instanceof ApiError ? err.message : 'The server did not answer.');
    });
}

export function initJobActions() {
  $('job-cancel').addEventListener('click', async () => {
    if (!state.jobId) return;
    try {
      onStatus(await api(`/api/jobs/${state.jobId}/cancel`, { method: 'POST' }));
    } catch (err) {
      showJobError(err instanceof Error ? err.message : String(err));
    }
  });
  $('job-delete').addEventListener('click', async () => {
    const id = state.jobId;
    if (!id || !window.confirm('Delete this job and all its files?')) return;
    try {
      await api(`/api/jobs/${id}`, { method: 'DELETE' });
      closeJob();
      void refreshJobs();
    } catch (err) {
      showJobError(err instanceof Error ? err.message : String(err));
    }
  });
}

function closeJob() {
  document.title = APP_TITLE;
  stopFollowing();
  clearJob();
  state.jobId = null;
  state.resultsFor = null;
  history.replaceState(null, '', location.pathname);
  $('job').hidden = true;
  $('welcome').hidden = false;
  document.body.classList.remove('job-open');
}

function clearJob() {
  clearResults();
  $('job-warnings').replaceChildren();
  showJobError('');
}

/**
 * `eventsUrl` comes from the server: signed when keys are on, since EventSource sends no header.
 * @param {string} id
 * @param {string} eventsUrl
 */
function follow(id, eventsUrl) {
  if (typeof EventSource === 'undefined') return poll(id);
  const es = new EventSource(eventsUrl);
  state.events = es;
  es.addEventListener('status', (e) => onStatus(JSON.parse(e.data)));
  es.addEventListener('end', () => es.close());
  es.addEventListener('error', () => {
    // A proxy that buffers or drops the stream: polling always works.
    es.close();
    if (state.events === es) state.events = null;
    if (state.jobId === id && !TERMINAL_JOB.has(state.job?.status)) poll(id);
  });
}

/** @param {string} id */
function poll(id) {
  clearTimeout(state.pollTimer);
  state.pollTimer = window.setTimeout(async () => {
    if (state.jobId !== id) return;
    try {
      const job = await api(`/api/status/${id}`);
      if (state.jobId !== id) return;
      onStatus(job);
      if (TERMINAL_JOB.has(job.status)) return;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return showJobError('This job no longer exists.');
    }
    poll(id);
  }, POLL_MS);
}

function stopFollowing() {
  state.events?.close();
  state.events = null;
  clearTimeout(state.pollTimer);
}

/** @param {string} message */
function showJobError(message) {
  const box = $('job-error');
  box.textContent = message;
  box.hidden = !message;
}

/** "Started." under the upload button belongs to its job: it goes once that job has ended. */
function clearUploadStatus(/** @type {string} */ jobId) {
  const status = $('upload-status');
  if (status.dataset.job !== jobId) return;
  status.textContent = '';
  delete status.dataset.job;
}

/** current_step names the stages running ("separation, beats"): shown with the cards' labels. */
function stepText(/** @type {unknown} */ step) {
  if (typeof step !== 'string') return '';
  return step
    .split(/,\s*/)
    .map((s) => STAGE_LABEL[/** @type {keyof STAGE_LABEL} */ (s)] ?? s)
    .join(', ');
}

/** @param {any} job a status record from the API */
function onStatus(job) {
  if (job.job_id !== state.jobId) return;
  state.job = job;
  $('job-title').textContent = job.original_filename || 'Untitled';
  setBadge($('job-badge'), job.status);
  const meta = [fmtTime(job.audio_duration), fmtBytes(job.file_size), `started ${fmtWhen(job.created_at)}`];
  $('job-meta').textContent = meta.filter(Boolean).join(' · ');
  const p = pct(job.progress);
  /** @type {HTMLProgressElement} */ ($('job-progress')).value = p;
  $('job-progress-label').textContent = `${p} %`;
  showJobError(job.error ? `${job.error.message} (${job.error.code})` : '');
  $('job-warnings').replaceChildren(
    ...(job.warnings ?? []).map((/** @type {string} */ w) => el('li', { text: w })),
  );
  const finished = TERMINAL_JOB.has(job.status);
  $('job-cancel').hidden = finished;
  $('job').classList.toggle('finished', finished && job.status !== 'cancelled');
  // The tab title tells the progress while the page is in the background.
  const name = job.original_filename || 'Untitled';
  document.title = finished
    ? `${name} · ${STATUS_TEXT[job.status]} — ${APP_TITLE}`
    : `${p} % · ${name} — ${APP_TITLE}`;
  // Announce status changes and steps, not every percent: screen readers would never stop talking.
  const live = finished
    ? `${STATUS_TEXT[job.status]}.`
    : `${STATUS_TEXT[job.status] ?? job.status}: ${stepText(job.current_step)}`;
  if (live !== state.lastLive) {
    state.lastLive = live;
    $('job-live').textContent = live;
  }
  renderStages(job.stages);
  updateJobListItem(job);
  if (finished) clearUploadStatus(job.job_id);
  if (finished && state.resultsFor !== job.job_id) {
    state.resultsFor = job.job_id;
    // A cancelled job's partial outputs are removed: there is nothing to play or download.
    if (job.status !== 'cancelled') void loadResults(job.job_id, resultsView);
    void refreshJobs();
  }
}
