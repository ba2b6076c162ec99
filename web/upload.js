// The "New song" form: file picker and drop zone, options, and the upload itself.

import { ApiError, postWithProgress } from './api.js';
import { openJob } from './job-view.js';
import { refreshJobs } from './jobs-list.js';
import { $, fmtBytes, input } from './util.js';

const file = () => input('file');

/** What each separation engine choice means, in full (the menu itself keeps short labels). */
const ENGINE_HELP = {
  '': 'The server decides (its SEPARATION_ENGINE setting): normally the best engine it has.',
  auto: 'The HT-Demucs model when the server has it, otherwise the DSP fallback.',
  htdemucs: 'The HT-Demucs neural model: the cleanest stems and the best lyric timing, but slow on a CPU.',
  dsp: 'Classical signal processing: fast, but vocals bleed into the other stems and lyric timing can be off by seconds.',
};

export function initUpload() {
  const form = /** @type {HTMLFormElement} */ ($('upload-form'));
  const engine = /** @type {HTMLSelectElement} */ ($('engine'));
  const explain = () => {
    $('engine-help').textContent = ENGINE_HELP[/** @type {keyof ENGINE_HELP} */ (engine.value)] ?? '';
  };
  engine.addEventListener('change', explain);
  explain();
  const input = file();
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

/** @param {HTMLFormElement} form @param {() => void} showName */
async function submitUpload(form, showName) {
  const errorBox = $('upload-error');
  const status = $('upload-status');
  const fail = (/** @type {string} */ msg) => {
    errorBox.textContent = msg;
    errorBox.hidden = false;
  };
  errorBox.hidden = true;
  const song = file().files?.[0];
  if (!song) return fail('Choose a song first.');
  const stages = [...form.querySelectorAll('input[name=stage]:checked')].map(
    (i) => /** @type {HTMLInputElement} */ (i).value,
  );
  if (stages.length === 0) return fail('Pick at least one stage.');
  const language = input('language').value.trim().toLowerCase();
  if (language && language !== 'auto' && !/^[a-z]{2,3}$/.test(language))
    return fail('Language must be a 2- or 3-letter code such as "en", or empty.');

  const data = new FormData();
  const lyrics = /** @type {HTMLTextAreaElement} */ ($('lyrics')).value.trim();
  if (lyrics) data.append('lyrics', lyrics);
  if (language) data.append('language', language);
  data.append('stages', stages.join(','));
  // Empty means the server's SEPARATION_ENGINE decides.
  const engine = /** @type {HTMLSelectElement} */ ($('engine')).value;
  if (engine) data.append('separation_engine', engine);
  // The file goes last: the server reads the fields before streaming the file to disk.
  data.append('file', song, song.name);

  const button = /** @type {HTMLButtonElement} */ ($('submit'));
  button.disabled = true;
  status.textContent = 'Uploading…';
  try {
    const accepted = await postWithProgress('/api/process', data, (/** @type {number} */ p) => {
      status.textContent = p < 100 ? `Uploading… ${p} %` : 'Checking the file…';
    });
    status.textContent = accepted.warnings?.length ? `Started. ${accepted.warnings.join('; ')}` : 'Started.';
    // The job view clears this line when that job ends (see clearUploadStatus).
    status.dataset.job = accepted.job_id;
    // Stages, engine and language stay as chosen for the next song.
    file().value = '';
    /** @type {HTMLTextAreaElement} */ ($('lyrics')).value = '';
    showName();
    openJob(accepted.job_id, { reveal: true });
    void refreshJobs();
  } catch (err) {
    status.textContent = '';
    delete status.dataset.job;
    fail(
      err instanceof ApiError ? `${err.message} (${err.code})` : 'The upload failed: is the server running?',
    );
  } finally {
    button.disabled = false;
  }
}
