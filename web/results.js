// A finished job's results: the player's tracks, lyrics and beats, the summary and the downloads.

import { api } from './api.js';
import { resetBeats, setupBeats } from './beats.js';
import { renderLyrics, resetLyrics } from './lyrics.js';
import { resetPlayer, setupPlayer } from './player.js';
import { $, el, fmtBytes, fmtTime } from './util.js';

const TRACK_ORDER = ['instrumental', 'original', 'vocals', 'drums', 'bass', 'other'];
const FILE_GROUPS = [
  ['stems/', 'Stems'],
  ['transcription/', 'Lyrics'],
  ['beat_analysis/', 'Rhythm'],
  ['', 'Song & report'],
];

/**
 * Loads and shows job `id`'s results. The job view is passed in (`view.isOpen(id)`, `view.job()`,
 * `view.showError(message)`) because the user may open another job while they load.
 */
export async function loadResults(id, view) {
  let r;
  try {
    r = await api(`/api/results/${id}`);
  } catch (err) {
    if (view.isOpen(id)) view.showError(`Results could not be loaded: ${err.message}`);
    return;
  }
  if (!view.isOpen(id)) return;
  const tracks = trackList(r);
  renderSummary(r, view.job());
  renderFiles(r);
  setupPlayer(tracks);
  let transcription = r.transcription;
  if (transcription?.too_large_to_inline) {
    transcription = await api(`/api/files/${id}/${transcription.url}`).catch(() => null);
    if (!view.isOpen(id)) return;
  }
  renderLyrics(transcription, r.stages?.transcription);
  $('results').hidden = false;
  const beatsFile = r.files.find((f) => f.path.endsWith('beats.json'));
  if (beatsFile) {
    try {
      const doc = await api(beatsFile.url);
      if (view.isOpen(id)) setupBeats(doc, r.beat_analysis);
    } catch {
      // The indicator is decoration: without beats.json it stays hidden.
    }
  }
}

export function clearResults() {
  resetPlayer();
  resetLyrics();
  resetBeats();
  $('files').replaceChildren();
  $('summary').replaceChildren();
}

function trackList(r) {
  const tracks = new Map();
  for (const [name, f] of Object.entries(r.stems ?? {})) tracks.set(name, { name, url: f.url, size: f.size });
  if (r.original)
    tracks.set('original', {
      name: 'original',
      url: r.original.url,
      size: r.original.size,
      label: 'Original mix',
    });
  const known = TRACK_ORDER.filter((n) => tracks.has(n)).map((n) => tracks.get(n));
  const rest = [...tracks.values()].filter((t) => !TRACK_ORDER.includes(t.name));
  return [...known, ...rest];
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

function renderFiles(r) {
  const files = r.files;
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
                    href: f.url,
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
