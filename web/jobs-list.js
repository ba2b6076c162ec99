// "Recent jobs": the list of the latest jobs, refreshed while any of them runs.

import { ApiError, api } from './api.js';
import { $, TERMINAL_JOB, badge, el, fmtTime, fmtWhen, pct } from './util.js';

const JOBS_POLL_MS = 3000;
const JOB_LIST_LIMIT = 20;

let jobsTimer = 0;
/**
 * The job view decides which job is open; it is passed in because it also refreshes this list.
 * @typedef {{ open: (id: string) => void, openId: () => string | null }} JobView
 */
/** @type {JobView} */
let view = { open: () => undefined, openId: () => null };

/** `jobView.open(id)` shows the job the user picked; `jobView.openId()` is the open job, or null. */
/** @param {JobView} jobView */
export function initJobsList(jobView) {
  view = jobView;
  $('jobs-refresh').addEventListener('click', () => void refreshJobs());
}

export async function refreshJobs() {
  clearTimeout(jobsTimer);
  let list;
  try {
    list = await api(`/api/jobs?limit=${JOB_LIST_LIMIT}`);
  } catch (err) {
    $('jobs-empty').textContent =
      err instanceof ApiError && err.status === 401
        ? 'This server needs an API key: enter it under “API key” at the top.'
        : 'Could not load the job list.';
    $('jobs-empty').hidden = false;
    jobsTimer = window.setTimeout(refreshJobs, JOBS_POLL_MS * 5);
    return;
  }
  const ul = $('jobs');
  /** @type {HTMLElement[]} */
  const shown = [...ul.querySelectorAll('.job-item')].map((b) => /** @type {HTMLElement} */ (b));
  /** @type {any[]} */
  const jobs = list.jobs;
  if (shown.map((b) => b.dataset.job).join() === jobs.map((j) => j.job_id).join()) {
    jobs.forEach((j, i) => fillJobItem(shown[i], j));
  } else {
    const item = /** @type {HTMLElement | null | undefined} */ (
      document.activeElement?.closest?.('.job-item')
    );
    const focused = item?.dataset.job;
    ul.replaceChildren(...jobs.map(jobItem));
    if (focused)
      /** @type {HTMLElement | null} */ (
        ul.querySelector(`.job-item[data-job="${CSS.escape(focused)}"]`)
      )?.focus();
  }
  $('jobs-empty').textContent = 'No jobs yet.';
  $('jobs-empty').hidden = jobs.length > 0;
  if (jobs.some((j) => !TERMINAL_JOB.has(j.status))) jobsTimer = window.setTimeout(refreshJobs, JOBS_POLL_MS);
}

/** @param {string} id */
export function markOpenJob(id) {
  for (const b of document.querySelectorAll('.job-item')) {
    if (!(b instanceof HTMLElement)) continue;
    if (b.dataset.job === id) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
}

/** Shows a live status update of the open job in its list entry too. */
/** @param {any} job */
export function updateJobListItem(job) {
  const button = /** @type {HTMLElement | null} */ (
    document.querySelector(`.job-item[data-job="${CSS.escape(job.job_id)}"]`)
  );
  if (button) fillJobItem(button, job);
}

/** @param {any} j */
function jobItem(j) {
  const button = el('button', { type: 'button', class: 'job-item', 'data-job': j.job_id });
  button.addEventListener('click', () => view.open(String(button.dataset.job)));
  fillJobItem(button, j);
  return el('li', {}, button);
}

/** Fills a job-list button in place, so a live update does not take the keyboard focus away. */
/** @param {HTMLElement} button @param {any} j */
function fillJobItem(button, j) {
  if (j.job_id === view.openId()) button.setAttribute('aria-current', 'true');
  else button.removeAttribute('aria-current');
  const running = !TERMINAL_JOB.has(j.status);
  const name = j.original_filename || j.job_id;
  button.replaceChildren(
    el('span', { class: 'job-name', text: name }),
    badge(j.status),
    el('span', { class: 'job-when muted', text: `${fmtWhen(j.created_at)} · ${fmtTime(j.audio_duration)}` }),
  );
  if (running)
    button.append(el('progress', { max: 100, value: pct(j.progress), 'aria-label': `${name} progress` }));
}
