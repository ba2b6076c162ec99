// The open job's stage cards: status, progress, engine, timing, message, reason and warnings.

import { $, el, pct, setBadge } from './util.js';

const STAGES = ['separation', 'transcription', 'beats'];
/** @type {Record<string, string>} */
export const STAGE_LABEL = { separation: 'Stems', transcription: 'Lyrics', beats: 'Rhythm' };
const TERMINAL_STAGE = new Set(['completed', 'failed', 'unavailable', 'skipped', 'cancelled']);

/**
 * @typedef {object} StageParts
 * @property {HTMLElement} li
 * @property {HTMLElement} badge
 * @property {HTMLProgressElement} bar
 * @property {HTMLElement} pct
 * @property {HTMLElement} engine
 * @property {HTMLElement} time
 * @property {HTMLElement} message
 * @property {HTMLElement} error
 * @property {HTMLElement} warnings
 * @property {HTMLElement} warningsCount
 * @property {HTMLElement} warningsBox
 */

/** @type {Record<string, StageParts>} */
let stageEls = {};

export function buildStageCards() {
  const ol = $('stages');
  stageEls = {};
  ol.replaceChildren(
    ...STAGES.map((s) => {
      const parts = {
        badge: el('span', { class: 'badge' }),
        bar: /** @type {HTMLProgressElement} */ (
          el('progress', { max: 100, value: 0, 'aria-label': `${STAGE_LABEL[s]} progress` })
        ),
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
      stageEls[s] = { li, ...parts, warningsBox };
      return li;
    }),
  );
}

/** @param {Record<string, any> | undefined} stages the job's stage states */
export function renderStages(stages) {
  for (const s of STAGES) renderStage(s, stages?.[s]);
}

/** @param {string} name @param {any} st */
function renderStage(name, st) {
  const parts = stageEls[name];
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
  parts.warnings.replaceChildren(...warnings.map((/** @type {string} */ w) => el('li', { text: w })));
  parts.warningsCount.textContent = warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`;
  parts.warningsBox.hidden = warnings.length === 0;
}
