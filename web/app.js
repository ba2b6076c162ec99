// The player page: upload a song, follow the job live, play the result with synced lyrics.
// Plain ES module, no dependencies; talks only to /api (see /docs). Every piece of server data
// reaches the DOM through textContent or attributes, never as HTML.

const STAGES = ['separation', 'transcription', 'beats'];
const STAGE_LABEL = { separation: 'Stems', transcription: 'Lyrics', beats: 'Rhythm' };
const TERMINAL_JOB = new Set(['completed', 'partial', 'failed', 'cancelled']);
const TERMINAL_STAGE = new Set(['completed', 'failed', 'unavailable', 'skipped', 'cancelled']);
const STATUS_TEXT = {
  queued: 'Queued',
  processing: 'Processing',
  completed: 'Completed',
  partial: 'Partly done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  pending: 'Waiting',
  running: 'Running',
  retrying: 'Retrying',
  unavailable: 'Unavailable',
  skipped: 'Skipped',
};
const TRACK_ORDER = ['instrumental', 'original', 'vocals', 'drums', 'bass', 'other'];
const KEY_STORAGE = 'karaoke.apiKey';
const APP_TITLE = 'Karaoke';
const POLL_MS = 1000;
const JOBS_POLL_MS = 3000;
const JOB_LIST_LIMIT = 20;
const REPORT_RETRY_MS = 1000;
// A word stays lit this long after its end so short gaps between words do not flicker.
const WORD_HOLD_S = 0.25;
// Media elements round a seek target (to the frame or microsecond): a word counts as started this
// much early, so seeking to a word's start always lights that word.
const SEEK_TOLERANCE_S = 0.01;
// Lyrics without line structure are broken at pauses this long, or after this many words.
const LINE_GAP_S = 1.2;
const MAX_WORDS_PER_LINE = 8;
const MAX_BEAT_DOTS = 12;
const KEY_SEEK_S = 5;
// Where the current line sits in the lyrics box, as a fraction of its height.
const LINE_ANCHOR = 0.35;

const $ = (id) => document.getElementById(id);
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
// Below this width the job view sits under the form and the list, out of sight.
const narrowScreen = window.matchMedia('(max-width: 820px)');

const state = {
  apiKey: localStorage.getItem(KEY_STORAGE) ?? '',
  jobId: null,
  job: null,
  events: null,
  pollTimer: 0,
  jobsTimer: 0,
  resultsFor: null,
  stageEls: {},
  lastLive: '',
  lyrics: emptyLyrics(),
  beats: emptyBeats(),
  raf: 0,
};

function emptyLyrics() {
  return {
    words: [],
    starts: new Float64Array(0),
    wordEls: [],
    lineEls: [],
    lineOf: [],
    sungUpTo: -1,
    active: -1,
    line: -1,
  };
}

function emptyBeats() {
  return { times: new Float64Array(0), positions: new Int32Array(0), perBar: 0, dots: [], index: -1 };
}

// ---------- small helpers ----------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

function withKey(url) {
  if (!state.apiKey) return url;
  const u = new URL(url, location.origin);
  u.searchParams.set('api_key', state.apiKey);
  return u.pathname + u.search;
}

async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (state.apiKey) headers.set('x-api-key', state.apiKey);
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => null);
  if (!res.ok)
    throw new ApiError(
      res.status,
      body?.error?.code ?? `HTTP_${res.status}`,
      body?.error?.message ?? res.statusText,
    );
  return body;
}

function fmtTime(s) {
  if (!Number.isFinite(s) || s < 0) return '–';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

function fmtBytes(n) {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function fmtWhen(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function badge(status) {
  return el('span', { class: `badge s-${status}`, text: STATUS_TEXT[status] ?? status });
}

function setBadge(node, status) {
  node.className = `badge s-${status}`;
  node.textContent = STATUS_TEXT[status] ?? status;
}

function pct(p) {
  return Math.max(0, Math.min(100, Math.round(Number(p) || 0)));
}

/** Index of the last value <= t in a sorted array, or -1. */
function lastAtOrBefore(sorted, t) {
  let lo = 0;
  let hi = sorted.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

// ---------- upload ----------

function initUpload() {
  const form = $('upload-form');
  const input = $('file');
  const drop = $('drop');
  const showName = () => {
    const f = input.files?.[0];
    $('file-name').textContent = f ? `${f.name} · ${fmtBytes(f.size)}` : 'mp3, wav, m4a, flac, ogg or opus';
    drop.classList.toggle('has-file', Boolean(f));
  };
  input.addEventListener('change', showName);
  // A file dropped anywhere else would make the browser navigate away from the page.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop'])
    drop.addEventListener(type, () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (e) => {
    const files = e.dataTransfer?.files;
    if (files && files.length > 0) {
      input.files = files;
      showName();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submitUpload(form, showName);
  });
}

async function submitUpload(form, showName) {
  const errorBox = $('upload-error');
  const status = $('upload-status');
  const fail = (msg) => {
    errorBox.textContent = msg;
    errorBox.hidden = false;
  };
  errorBox.hidden = true;
  const file = $('file').files?.[0];
  if (!file) return fail('Choose a song first.');
  const stages = [...form.querySelectorAll('input[name=stage]:checked')].map((i) => i.value);
  if (stages.length === 0) return fail('Pick at least one stage.');
  const language = $('language').value.trim().toLowerCase();
  if (language && language !== 'auto' && !/^[a-z]{2,3}$/.test(language))
    return fail('Language must be a 2- or 3-letter code such as "en", or empty.');

  const data = new FormData();
  const lyrics = $('lyrics').value.trim();
  if (lyrics) data.append('lyrics', lyrics);
  if (language) data.append('language', language);
  data.append('stages', stages.join(','));
  // Empty means the server's SEPARATION_ENGINE decides.
  if ($('engine').value) data.append('separation_engine', $('engine').value);
  // The file goes last: the server reads the fields before streaming the file to disk.
  data.append('file', file, file.name);

  const button = $('submit');
  button.disabled = true;
  status.textContent = 'Uploading…';
  try {
    const accepted = await postWithProgress('/api/process', data, (p) => {
      status.textContent = p < 100 ? `Uploading… ${p} %` : 'Checking the file…';
    });
    status.textContent = accepted.warnings?.length ? `Started. ${accepted.warnings.join('; ')}` : 'Started.';
    // Stages, engine and language stay as chosen for the next song.
    $('file').value = '';
    $('lyrics').value = '';
    showName();
    openJob(accepted.job_id, { reveal: true });
    void refreshJobs();
  } catch (err) {
    status.textContent = '';
    fail(
      err instanceof ApiError ? `${err.message} (${err.code})` : 'The upload failed: is the server running?',
    );
  } finally {
    button.disabled = false;
  }
}

/** fetch() cannot report upload progress; XHR can, which matters for big files on slow links. */
function postWithProgress(url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (state.apiKey) xhr.setRequestHeader('x-api-key', state.apiKey);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(pct((100 * e.loaded) / e.total));
    });
    xhr.addEventListener('load', () => {
      const r = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && r) resolve(r);
      else
        reject(
          new ApiError(
            xhr.status,
            r?.error?.code ?? `HTTP_${xhr.status}`,
            r?.error?.message ?? `the server answered ${xhr.status}`,
          ),
        );
    });
    xhr.addEventListener('error', () => reject(new Error('network error')));
    xhr.send(body);
  });
}

// ---------- recent jobs ----------

async function refreshJobs() {
  clearTimeout(state.jobsTimer);
  let list;
  try {
    list = await api(`/api/jobs?limit=${JOB_LIST_LIMIT}`);
  } catch (err) {
    $('jobs-empty').textContent =
      err instanceof ApiError && err.status === 401
        ? 'This server needs an API key: enter it under “API key” at the top.'
        : 'Could not load the job list.';
    $('jobs-empty').hidden = false;
    state.jobsTimer = setTimeout(refreshJobs, JOBS_POLL_MS * 5);
    return;
  }
  const ul = $('jobs');
  const shown = [...ul.querySelectorAll('.job-item')];
  if (shown.map((b) => b.dataset.job).join() === list.jobs.map((j) => j.job_id).join()) {
    list.jobs.forEach((j, i) => fillJobItem(shown[i], j));
  } else {
    const focused = document.activeElement?.closest?.('.job-item')?.dataset.job;
    ul.replaceChildren(...list.jobs.map(jobItem));
    if (focused) ul.querySelector(`.job-item[data-job="${CSS.escape(focused)}"]`)?.focus();
  }
  $('jobs-empty').textContent = 'No jobs yet.';
  $('jobs-empty').hidden = list.jobs.length > 0;
  if (list.jobs.some((j) => !TERMINAL_JOB.has(j.status)))
    state.jobsTimer = setTimeout(refreshJobs, JOBS_POLL_MS);
}

function jobItem(j) {
  const button = el('button', { type: 'button', class: 'job-item', 'data-job': j.job_id });
  button.addEventListener('click', () => openJob(button.dataset.job, { reveal: true }));
  fillJobItem(button, j);
  return el('li', {}, button);
}

/** Fills a job-list button in place, so a live update does not take the keyboard focus away. */
function fillJobItem(button, j) {
  if (j.job_id === state.jobId) button.setAttribute('aria-current', 'true');
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

// ---------- one job: status ----------

function openJob(id, { reveal = false } = {}) {
  if (reveal && narrowScreen.matches)
    requestAnimationFrame(() => $('job').scrollIntoView({ behavior: reducedMotion ? 'auto' : 'smooth' }));
  if (state.jobId === id) return;
  stopFollowing();
  resetPlayer();
  state.jobId = id;
  state.job = null;
  state.resultsFor = null;
  state.lastLive = '';
  if (location.hash !== `#job=${id}`) history.replaceState(null, '', `#job=${id}`);
  for (const b of document.querySelectorAll('.job-item')) {
    if (b.dataset.job === id) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
  $('welcome').hidden = true;
  $('job').hidden = false;
  $('results').hidden = true;
  $('job-title').textContent = 'Loading…';
  buildStageCards();
  api(`/api/status/${id}`)
    .then((job) => {
      if (state.jobId !== id) return;
      onStatus(job);
      if (!TERMINAL_JOB.has(job.status)) follow(id);
    })
    .catch((err) => {
      if (state.jobId !== id) return;
      $('job-title').textContent = 'Job not found';
      showJobError(err instanceof ApiError ? err.message : 'The server did not answer.');
    });
}

function follow(id) {
  if (typeof EventSource === 'undefined') return poll(id);
  const es = new EventSource(withKey(`/api/jobs/${id}/events`));
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

function poll(id) {
  clearTimeout(state.pollTimer);
  state.pollTimer = setTimeout(async () => {
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

function showJobError(message) {
  const box = $('job-error');
  box.textContent = message;
  box.hidden = !message;
}

function buildStageCards() {
  const ol = $('stages');
  state.stageEls = {};
  ol.replaceChildren(
    ...STAGES.map((s) => {
      const parts = {
        badge: el('span', { class: 'badge' }),
        bar: el('progress', { max: 100, value: 0, 'aria-label': `${STAGE_LABEL[s]} progress` }),
        pct: el('span', { class: 'pct' }),
        engine: el('p', { class: 'engine' }),
        time: el('p', { class: 'stage-time' }),
        message: el('p', { class: 'stage-msg' }),
        error: el('p', { class: 'stage-error' }),
        warnings: el('ul', { class: 'warnings' }),
        warningsCount: el('summary'),
      };
      // Warnings can run long (model paths, licences): counted in view, read on demand.
      const warningsBox = el(
        'details',
        { class: 'stage-warnings', hidden: true },
        parts.warningsCount,
        parts.warnings,
      );
      parts.warningsBox = warningsBox;
      const li = el(
        'li',
        { class: 'stage', 'data-stage': s },
        el('div', { class: 'stage-head' }, el('h3', { text: STAGE_LABEL[s] }), parts.badge),
        el('div', { class: 'stage-bar' }, parts.bar, parts.pct),
        parts.engine,
        parts.time,
        parts.message,
        parts.error,
        warningsBox,
      );
      state.stageEls[s] = { li, ...parts };
      return li;
    }),
  );
}

function onStatus(job) {
  if (job.job_id !== state.jobId) return;
  state.job = job;
  $('job-title').textContent = job.original_filename || 'Untitled';
  setBadge($('job-badge'), job.status);
  const meta = [fmtTime(job.audio_duration), fmtBytes(job.file_size), `started ${fmtWhen(job.created_at)}`];
  $('job-meta').textContent = meta.filter(Boolean).join(' · ');
  const p = pct(job.progress);
  $('job-progress').value = p;
  $('job-progress-label').textContent = `${p} %`;
  showJobError(job.error ? `${job.error.message} (${job.error.code})` : '');
  $('job-warnings').replaceChildren(...(job.warnings ?? []).map((w) => el('li', { text: w })));
  const finished = TERMINAL_JOB.has(job.status);
  $('job-cancel').hidden = finished;
  // The tab title tells the progress while the page is in the background.
  const name = job.original_filename || 'Untitled';
  document.title = finished
    ? `${name} · ${STATUS_TEXT[job.status]} — ${APP_TITLE}`
    : `${p} % · ${name} — ${APP_TITLE}`;
  // Announce status changes and steps, not every percent: screen readers would never stop talking.
  const live = finished
    ? `${STATUS_TEXT[job.status]}.`
    : `${STATUS_TEXT[job.status] ?? job.status}: ${job.current_step}`;
  if (live !== state.lastLive) {
    state.lastLive = live;
    $('job-live').textContent = live;
  }
  for (const s of STAGES) renderStage(s, job.stages?.[s]);
  updateJobListItem(job);
  if (finished && state.resultsFor !== job.job_id) {
    state.resultsFor = job.job_id;
    // A cancelled job's partial outputs are removed: there is nothing to play or download.
    if (job.status !== 'cancelled') void loadResults(job.job_id);
    void refreshJobs();
  }
}

function renderStage(name, st) {
  const parts = state.stageEls[name];
  if (!parts || !st) return;
  parts.li.dataset.status = st.status;
  setBadge(parts.badge, st.status);
  const p = st.status === 'completed' ? 100 : pct(st.progress);
  parts.bar.value = p;
  parts.pct.textContent = `${p} %`;
  const e = st.engine;
  parts.engine.replaceChildren();
  if (e) {
    if (e.quality === 'fallback') {
      parts.engine.append(
        el('span', {
          class: 'tag fallback',
          title: 'A degraded engine ran instead of the model: expect lower quality',
          text: 'fallback',
        }),
        ' ',
      );
    } else if (e.quality)
      parts.engine.append(el('span', { class: `tag q-${e.quality}`, text: e.quality }), ' ');
    parts.engine.append(el('span', { class: 'engine-name', text: e.name }), e.version ? ` ${e.version}` : '');
  }
  parts.time.textContent =
    Number.isFinite(st.duration_s) && TERMINAL_STAGE.has(st.status)
      ? `took ${st.duration_s.toFixed(1)} s`
      : '';
  const attempts = st.status === 'retrying' && st.attempts ? ` (attempt ${st.attempts})` : '';
  parts.message.textContent = st.message ? `${st.message}${attempts}` : attempts.trim();
  parts.message.hidden = !parts.message.textContent;
  const reason = st.error ? `${st.error.message} (${st.error.code})` : '';
  parts.error.textContent = reason;
  parts.error.hidden = !reason;
  const warnings = st.warnings ?? [];
  parts.warnings.replaceChildren(...warnings.map((w) => el('li', { text: w })));
  parts.warningsCount.textContent = warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`;
  parts.warningsBox.hidden = warnings.length === 0;
}

function updateJobListItem(job) {
  const button = document.querySelector(`.job-item[data-job="${CSS.escape(job.job_id)}"]`);
  if (button) fillJobItem(button, job);
}

function initJobActions() {
  $('job-cancel').addEventListener('click', async () => {
    if (!state.jobId) return;
    try {
      onStatus(await api(`/api/jobs/${state.jobId}/cancel`, { method: 'POST' }));
    } catch (err) {
      showJobError(err.message);
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
      showJobError(err.message);
    }
  });
}

function closeJob() {
  document.title = APP_TITLE;
  stopFollowing();
  resetPlayer();
  state.jobId = null;
  state.resultsFor = null;
  history.replaceState(null, '', location.pathname);
  $('job').hidden = true;
  $('welcome').hidden = false;
}

// ---------- one job: results ----------

async function loadResults(id) {
  let r;
  try {
    r = await api(`/api/results/${id}`);
  } catch (err) {
    if (state.jobId === id) showJobError(`Results could not be loaded: ${err.message}`);
    return;
  }
  if (state.jobId !== id) return;
  const tracks = trackList(r, state.job);
  renderSummary(r, state.job);
  renderFiles(r, tracks);
  if (!r.report) setTimeout(() => void refreshReport(id, tracks), REPORT_RETRY_MS);
  setupPlayer(tracks);
  let transcription = r.transcription;
  if (transcription?.too_large_to_inline) {
    transcription = await api(`/api/files/${id}/${transcription.url}`).catch(() => null);
    if (state.jobId !== id) return;
  }
  renderLyrics(transcription, r.stages?.transcription);
  $('results').hidden = false;
  const beatsFile = r.files.find((f) => f.path.endsWith('beats.json'));
  if (beatsFile) {
    try {
      const doc = await api(beatsFile.url);
      if (state.jobId === id) setupBeats(doc, r.beat_analysis);
    } catch {
      // The indicator is decoration: without beats.json it stays hidden.
    }
  }
}

/** The server writes report.json just after the final status: fetch once more to list it. */
async function refreshReport(id, tracks) {
  const r = await api(`/api/results/${id}`).catch(() => null);
  if (!r?.report || state.jobId !== id) return;
  renderSummary(r, state.job);
  renderFiles(r, tracks);
}

function trackList(r, job) {
  const tracks = new Map();
  for (const [name, f] of Object.entries(r.stems ?? {})) tracks.set(name, { name, url: f.url, size: f.size });
  const ext = r.report?.input?.format ?? /\.([a-z0-9]+)$/i.exec(job?.original_filename ?? '')?.[1];
  if (ext)
    tracks.set('original', {
      name: 'original',
      url: `/api/files/${r.job_id}/original.${ext.toLowerCase()}`,
      label: 'Original mix',
    });
  const known = TRACK_ORDER.filter((n) => tracks.has(n)).map((n) => tracks.get(n));
  const rest = [...tracks.values()].filter((t) => !TRACK_ORDER.includes(t.name));
  return [...known, ...rest];
}

function setupPlayer(tracks) {
  const select = $('track');
  const audio = $('audio');
  select.replaceChildren(
    ...tracks.map((t) => el('option', { value: t.url, text: t.label ?? capitalize(t.name) })),
  );
  $('no-audio').hidden = tracks.length > 0;
  audio.hidden = tracks.length === 0;
  select.disabled = tracks.length < 2;
  if (tracks.length > 0) audio.src = withKey(tracks[0].url);
}

function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function renderSummary(r, job) {
  const s = { ...(job?.summary ?? {}), ...(r.summary ?? {}) };
  const a = r.beat_analysis && typeof r.beat_analysis === 'object' ? r.beat_analysis : {};
  const t = r.transcription && typeof r.transcription === 'object' ? r.transcription : {};
  const num = (v, digits) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : undefined);
  const rows = [
    ['Duration', job ? fmtTime(job.audio_duration) : undefined],
    ['Tempo', num(s.tempo_bpm ?? a.tempo_bpm, 1) && `${num(s.tempo_bpm ?? a.tempo_bpm, 1)} BPM`],
    ['Time signature', s.time_signature ?? a.time_signature],
    ['Beats', s.beat_count ?? a.beat_count],
    ['Beat confidence', num(s.beat_confidence ?? a.beat_confidence, 2)],
    ['Rhythm regularity', num(s.rhythm_regularity ?? a.rhythm_regularity, 2)],
    ['Language', s.language ?? t.language],
    ['Lyrics', t.source && `${t.source}${s.word_count !== undefined ? `, ${s.word_count} words` : ''}`],
    ['Separation', s.separation_engine],
    ['Processing time', num(r.report?.wall_time_s, 1) && `${num(r.report?.wall_time_s, 1)} s`],
  ];
  const dl = $('summary');
  dl.replaceChildren();
  for (const [k, v] of rows) {
    if (v === undefined || v === null || v === '') continue;
    dl.append(el('div', { class: 'fact' }, el('dt', { text: k }), el('dd', { text: String(v) })));
  }
  if (!dl.childElementCount)
    dl.append(el('div', { class: 'fact' }, el('dt', { text: 'Results' }), el('dd', { text: 'none' })));
}

const FILE_GROUPS = [
  ['stems/', 'Stems'],
  ['transcription/', 'Lyrics'],
  ['beat_analysis/', 'Rhythm'],
  ['', 'Song & report'],
];

function renderFiles(r, tracks) {
  const original = tracks.find((t) => t.name === 'original');
  const files = [
    ...(original
      ? [{ path: original.url.split('/').pop(), url: original.url, size: state.job?.file_size }]
      : []),
    ...r.files,
  ];
  const groups = FILE_GROUPS.map(([prefix, title]) => ({ prefix, title, items: [] }));
  for (const f of files) groups.find((g) => f.path.startsWith(g.prefix)).items.push(f);
  $('files').replaceChildren(
    ...groups
      .filter((g) => g.items.length > 0)
      .map((g) =>
        el(
          'li',
          { class: 'file-group' },
          el('h3', { text: g.title }),
          el(
            'ul',
            {},
            ...g.items.map((f) =>
              el(
                'li',
                {},
                el(
                  'a',
                  {
                    href: withKey(f.url),
                    download: f.path.split('/').pop(),
                    class: 'file-link',
                    title: f.path,
                  },
                  f.path.slice(g.prefix.length),
                ),
                el('span', { class: 'muted', text: f.size !== undefined ? fmtBytes(f.size) : '' }),
              ),
            ),
          ),
        ),
      ),
  );
}

// ---------- lyrics ----------

/** Lines of timed words from transcription.json, whatever its exact shape. */
function lyricLines(doc) {
  if (!doc || typeof doc !== 'object') return [];
  const isWord = (w) => w && typeof w.word === 'string' && Number.isFinite(w.start) && Number.isFinite(w.end);
  for (const key of ['segments', 'lines']) {
    const groups = Array.isArray(doc[key])
      ? doc[key].filter((g) => Array.isArray(g?.words) && g.words.some(isWord))
      : [];
    if (groups.length > 0) return groups.map((g) => ({ words: g.words.filter(isWord) }));
  }
  const words = Array.isArray(doc.words) ? doc.words.filter(isWord) : [];
  if (words.length === 0) return [];
  const lines = [];
  if (words.every((w) => Number.isInteger(w.line))) {
    for (const w of words) {
      if (lines.length === 0 || lines[lines.length - 1].key !== w.line)
        lines.push({ key: w.line, words: [] });
      lines[lines.length - 1].words.push(w);
    }
    return lines;
  }
  for (const w of words) {
    const cur = lines[lines.length - 1];
    const prev = cur?.words[cur.words.length - 1];
    if (!cur || cur.words.length >= MAX_WORDS_PER_LINE || w.start - prev.end > LINE_GAP_S)
      lines.push({ words: [w] });
    else cur.words.push(w);
  }
  return lines;
}

function renderLyrics(doc, stage) {
  const box = $('lyrics-view');
  const note = $('no-lyrics');
  const lines = lyricLines(doc);
  const L = emptyLyrics();
  const lineEls = [];
  for (const [li, line] of lines.entries()) {
    const first = line.words[0];
    const wordsSpan = el('span', { class: 'line-words' });
    for (const w of line.words) {
      const flags = Array.isArray(w.flags) ? w.flags : [];
      const span = el('span', {
        class: `word${flags.length ? ' flagged' : ''}`,
        'data-i': L.words.length,
        title: flags.length ? flags.join(', ').replaceAll('_', ' ') : undefined,
        text: w.word,
      });
      L.words.push(w);
      L.wordEls.push(span);
      L.lineOf.push(li);
      wordsSpan.append(span, ' ');
    }
    const seek = el('button', {
      type: 'button',
      class: 'line-time',
      'data-start': first.start,
      'aria-label': `Play from ${fmtTime(first.start)}`,
      text: fmtTime(first.start),
    });
    lineEls.push(el('p', { class: 'line' }, seek, wordsSpan));
  }
  L.starts = Float64Array.from(L.words, (w) => w.start);
  L.lineEls = lineEls;
  state.lyrics = L;
  box.replaceChildren(...lineEls);
  box.hidden = lineEls.length === 0;
  if (lineEls.length === 0) {
    const why =
      stage?.error?.message ??
      (stage?.status === 'skipped' ? (stage?.message ?? 'not requested') : 'no words were found');
    note.textContent = `No lyrics: ${why}.`;
  }
  note.hidden = lineEls.length > 0;
  sync();
}

function initLyricsClicks() {
  $('lyrics-view').addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : null;
    const word = target?.closest('.word');
    const line = target?.closest('.line-time');
    if (word) seekTo(state.lyrics.words[Number(word.dataset.i)].start);
    else if (line) seekTo(Number(line.dataset.start));
  });
}

function seekTo(t) {
  const audio = $('audio');
  if (!audio.src) return;
  audio.currentTime = t;
  audio.play().catch(() => undefined);
  sync();
}

// ---------- beats ----------

function setupBeats(doc, analysis) {
  const raw = Array.isArray(doc?.beats) ? doc.beats : [];
  const beats = raw
    .map((b) => (typeof b === 'number' ? { time: b, position: 0 } : b))
    .filter((b) => Number.isFinite(b?.time));
  if (beats.length === 0) return;
  const downs = new Set((doc.downbeats ?? analysis?.downbeats ?? []).map((t) => Math.round(t * 1000)));
  const B = emptyBeats();
  B.times = Float64Array.from(beats, (b) => b.time);
  B.positions = Int32Array.from(beats, (b) =>
    Number.isInteger(b.position) && b.position > 0
      ? b.position
      : downs.has(Math.round(b.time * 1000))
        ? 1
        : 0,
  );
  const sig = Number.parseInt(String(doc.time_signature ?? analysis?.time_signature ?? ''), 10);
  B.perBar = Math.min(MAX_BEAT_DOTS, analysis?.beats_per_bar || Math.max(...B.positions) || sig || 1);
  const dots = $('beat-dots');
  B.dots = Array.from({ length: B.perBar }, (_, i) => el('span', { class: i === 0 ? 'dot down' : 'dot' }));
  dots.replaceChildren(...B.dots);
  state.beats = B;
  $('beat').hidden = false;
  sync();
}

// ---------- playback sync ----------

function sync() {
  const t = $('audio').currentTime || 0;
  syncLyrics(t);
  syncBeat(t);
}

function syncLyrics(t) {
  const L = state.lyrics;
  if (L.words.length === 0) return;
  const k = lastAtOrBefore(L.starts, t + SEEK_TOLERANCE_S);
  // Words up to k have started: mark the range that changed since the last frame only.
  if (k > L.sungUpTo) for (let i = L.sungUpTo + 1; i <= k; i++) L.wordEls[i].classList.add('sung');
  else for (let i = k + 1; i <= L.sungUpTo; i++) L.wordEls[i].classList.remove('sung');
  L.sungUpTo = k;
  const active = k >= 0 && t < L.words[k].end + WORD_HOLD_S ? k : -1;
  if (active !== L.active) {
    if (L.active >= 0) L.wordEls[L.active].classList.remove('active');
    if (active >= 0) L.wordEls[active].classList.add('active');
    L.active = active;
  }
  const line = k >= 0 ? L.lineOf[k] : -1;
  if (line !== L.line) {
    if (L.line >= 0) L.lineEls[L.line].classList.remove('current');
    if (line >= 0) {
      L.lineEls[line].classList.add('current');
      scrollLyricsTo(L.lineEls[line]);
    }
    L.line = line;
  }
}

function scrollLyricsTo(lineEl) {
  const box = $('lyrics-view');
  const top = lineEl.offsetTop - box.clientHeight * LINE_ANCHOR;
  box.scrollTo({ top: Math.max(0, top), behavior: reducedMotion ? 'auto' : 'smooth' });
}

function syncBeat(t) {
  const B = state.beats;
  if (B.times.length === 0) return;
  const i = lastAtOrBefore(B.times, t);
  if (i === B.index) return;
  B.index = i;
  const pos = i >= 0 ? B.positions[i] : 0;
  B.dots.forEach((d, j) => d.classList.toggle('on', pos > 0 && j === (pos - 1) % B.perBar));
  const beat = $('beat');
  beat.classList.remove('pulse', 'pulse-down');
  if (i < 0) {
    $('beat-num').textContent = '';
    return;
  }
  $('beat-num').textContent = pos > 0 ? String(pos) : '•';
  // Re-adding the class restarts the CSS animation; the reflow in between makes it take.
  void beat.offsetWidth;
  beat.classList.add(pos === 1 ? 'pulse-down' : 'pulse');
}

function initPlayer() {
  const audio = $('audio');
  const loop = () => {
    sync();
    state.raf = audio.paused ? 0 : requestAnimationFrame(loop);
  };
  audio.addEventListener('play', () => {
    cancelAnimationFrame(state.raf);
    state.raf = requestAnimationFrame(loop);
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
    audio.src = withKey($('track').value);
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
function initShortcuts() {
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

function resetPlayer() {
  const audio = $('audio');
  audio.pause();
  audio.removeAttribute('src');
  audio.load();
  cancelAnimationFrame(state.raf);
  state.lyrics = emptyLyrics();
  state.beats = emptyBeats();
  $('lyrics-view').replaceChildren();
  $('beat').hidden = true;
  $('beat-dots').replaceChildren();
  $('no-audio').hidden = true;
  $('files').replaceChildren();
  $('summary').replaceChildren();
  $('job-warnings').replaceChildren();
  showJobError('');
}

// ---------- start ----------

function initApiKey() {
  $('api-key').value = state.apiKey;
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.apiKey = $('api-key').value.trim();
    if (state.apiKey) localStorage.setItem(KEY_STORAGE, state.apiKey);
    else localStorage.removeItem(KEY_STORAGE);
    $('key-form').closest('details').open = false;
    void refreshJobs();
  });
}

function jobFromHash() {
  const m = /^#job=([0-9a-f-]{36})$/i.exec(location.hash);
  return m ? m[1] : null;
}

initUpload();
initJobActions();
initLyricsClicks();
initPlayer();
initShortcuts();
initApiKey();
$('jobs-refresh').addEventListener('click', () => void refreshJobs());
window.addEventListener('hashchange', () => {
  const id = jobFromHash();
  if (id) openJob(id);
});
const initial = jobFromHash();
if (initial) openJob(initial, { reveal: true });
void refreshJobs();
