// Key and tempo: asks the server for an instrumental variant (and a guide mix with the lead
// vocal, so the vocal slider keeps working in the new key), follows its progress, and hands it
// over to play once ready. A server without the variants API gets a note instead of controls.

import { ApiError, api } from './api.js';
import { $ } from './util.js';

export const MIN_SEMITONES = -6;
export const MAX_SEMITONES = 6;
export const MIN_TEMPO = 0.5;
export const MAX_TEMPO = 1.5;
const TEMPO_STEP = 0.05;
const POLL_MS = 800;
/** The guide mix carries the lead vocal at full level; the slider crossfades towards it. */
const GUIDE_VOCAL_DB = 0;

/**
 * @typedef {object} VariantReady
 * @property {number} semitones
 * @property {number} tempo
 * @property {Record<string, string>} urls instrumental, and guide when the guide mix was made
 * @property {unknown} transcription the variant's re-timed words, if it has its own
 * @property {unknown} beats the variant's re-timed beats, if it has its own
 */
/**
 * @typedef {object} VariantHooks
 * @property {(v: VariantReady) => Promise<void>} play switch to a ready variant
 * @property {() => Promise<void>} original switch back to the song itself
 * @property {() => boolean} hasVocals whether a guide mix can be made
 */

const state = {
  /** @type {string | null} */
  jobId: null,
  applied: { semitones: 0, tempo: 1 },
  wanted: { semitones: 0, tempo: 1 },
  /** Bumped per request, so a late answer for an older one is dropped. */
  request: 0,
  /** @type {VariantHooks | null} */
  hooks: null,
};

export function initVariants() {
  $('key-down').addEventListener('click', () => nudge(-1, 0));
  $('key-up').addEventListener('click', () => nudge(1, 0));
  $('tempo-down').addEventListener('click', () => nudge(0, -TEMPO_STEP));
  $('tempo-up').addEventListener('click', () => nudge(0, TEMPO_STEP));
  $('variant-apply').addEventListener('click', () => void apply());
  $('variant-reset').addEventListener('click', () => {
    state.wanted = { semitones: 0, tempo: 1 };
    void apply();
  });
}

/**
 * @param {string} jobId
 * @param {VariantHooks} hooks
 */
export function setupVariants(jobId, hooks) {
  state.jobId = jobId;
  state.hooks = hooks;
  state.request++;
  state.applied = { semitones: 0, tempo: 1 };
  state.wanted = { semitones: 0, tempo: 1 };
  $('variant-controls').hidden = false;
  $('variants').hidden = false;
  setStatus('');
  render();
}

export function resetVariants() {
  state.jobId = null;
  state.request++;
  $('variants').hidden = true;
}

/** @param {number} dk semitones @param {number} dt tempo */
function nudge(dk, dt) {
  const w = state.wanted;
  w.semitones = Math.max(MIN_SEMITONES, Math.min(MAX_SEMITONES, w.semitones + dk));
  w.tempo = Math.round(Math.max(MIN_TEMPO, Math.min(MAX_TEMPO, w.tempo + dt)) * 100) / 100;
  render();
}

function render() {
  const { wanted: w, applied: a } = state;
  $('key-value').textContent =
    w.semitones === 0 ? 'Original' : `${w.semitones > 0 ? '+' : '−'}${Math.abs(w.semitones)}`;
  $('tempo-value').textContent = `${Math.round(w.tempo * 100)} %`;
  $('key-down').toggleAttribute('disabled', w.semitones <= MIN_SEMITONES);
  $('key-up').toggleAttribute('disabled', w.semitones >= MAX_SEMITONES);
  $('tempo-down').toggleAttribute('disabled', w.tempo <= MIN_TEMPO);
  $('tempo-up').toggleAttribute('disabled', w.tempo >= MAX_TEMPO);
  const changed = w.semitones !== a.semitones || w.tempo !== a.tempo;
  $('variant-apply').toggleAttribute('disabled', !changed);
  $('variant-reset').hidden = a.semitones === 0 && a.tempo === 1 && w.semitones === 0 && w.tempo === 1;
}

/** @param {string} text */
function setStatus(text) {
  $('variant-status').textContent = text;
}

async function apply() {
  const jobId = state.jobId;
  const hooks = state.hooks;
  if (!jobId || !hooks) return;
  const req = ++state.request;
  const { semitones, tempo } = { ...state.wanted };
  const live = () => req === state.request && state.jobId === jobId;
  if (semitones === 0 && tempo === 1) {
    await hooks.original();
    if (!live()) return;
    state.applied = { semitones, tempo };
    setStatus('');
    return render();
  }
  $('variant-apply').setAttribute('disabled', '');
  setStatus('Asking the server…');
  try {
    const params = { semitones, tempo, format: 'wav' };
    const inst = requestVariant(jobId, { ...params, vocal_db: null });
    const guide = hooks.hasVocals()
      ? requestVariant(jobId, { ...params, vocal_db: GUIDE_VOCAL_DB }).catch(() => null)
      : Promise.resolve(null);
    const [instDone, guideDone] = await Promise.all([
      follow(jobId, await inst, live, 'instrumental'),
      guide.then((g) => (g ? follow(jobId, g, live, 'guide').catch(() => null) : null)),
    ]);
    if (!live()) return;
    const files = instDone.files ?? {};
    if (typeof files.instrumental !== 'string') throw new Error('the variant has no instrumental file');
    /** @type {Record<string, string>} */
    const urls = { instrumental: files.instrumental };
    if (typeof guideDone?.files?.instrumental === 'string') urls.guide = guideDone.files.instrumental;
    const [transcription, beats] = await Promise.all([
      typeof files.transcription === 'string' ? api(files.transcription).catch(() => null) : null,
      typeof files.beats === 'string' ? api(files.beats).catch(() => null) : null,
    ]);
    if (!live()) return;
    setStatus('Loading the new version…');
    await hooks.play({ semitones, tempo, urls, transcription, beats });
    if (!live()) return;
    state.applied = { semitones, tempo };
    setStatus(urls.guide || !hooks.hasVocals() ? '' : 'Guide vocal unavailable in this version.');
  } catch (err) {
    if (!live()) return;
    if (err instanceof ApiError && err.status === 404 && /^no route/.test(err.message)) {
      $('variant-controls').hidden = true;
      setStatus('Key and tempo changes are not available on this server.');
      return;
    }
    setStatus(`Could not change key or tempo: ${err instanceof Error ? err.message : String(err)}`);
  }
  render();
}

/**
 * @param {string} jobId
 * @param {object} body
 * @returns {Promise<string>} the variant's id
 */
async function requestVariant(jobId, body) {
  const res = await api(`/api/jobs/${jobId}/variants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (typeof res?.variant_id !== 'string') throw new Error('the server did not name the variant');
  return res.variant_id;
}

/**
 * Polls a variant until it is completed; throws when it failed or the request was superseded.
 * @param {string} jobId
 * @param {string} id
 * @param {() => boolean} live
 * @param {string} what
 * @returns {Promise<any>}
 */
async function follow(jobId, id, live, what) {
  for (;;) {
    const v = await api(`/api/jobs/${jobId}/variants/${encodeURIComponent(id)}`);
    if (!live()) throw new Error('superseded');
    if (v.status === 'completed') return v;
    if (v.status === 'failed') throw new Error(v.error?.message ?? `the ${what} variant failed`);
    if (what === 'instrumental') {
      const p = Number.isFinite(v.progress) ? ` ${Math.round(v.progress)} %` : '';
      setStatus(`Preparing the new key/tempo…${p}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
