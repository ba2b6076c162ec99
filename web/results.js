// A finished job's results: the player's tracks, lyrics, beats and notes, the summary and the
// downloads; and, for a key/tempo variant, the same material re-timed to it.

import { api } from './api.js';
import { beatsPerBar, resetBeats, setupBeats } from './beats.js';
import { renderLyrics, resetLyrics } from './lyrics.js';
import { resetPitchLane, setupPitchLane } from './pitch-lane.js';
import { backToSong, resetPlayer, setupPlayer, switchTo, sync } from './player.js';
import { renderStage, resetStage } from './stage-view.js';
import { beatList, lyricLines, noteList, retimeBeats, retimeLines, retimeNotes } from './timeline.js';
import { $, el, fmtBytes, fmtTime } from './util.js';
import { resetVariants, setupVariants } from './variants.js';
import { resetVideo, setupVideo } from './video.js';

const TRACK_ORDER = ['instrumental', 'original', 'vocals', 'drums', 'bass', 'other'];
const FILE_GROUPS = [
  ['stems/', 'Stems'],
  ['transcription/', 'Lyrics'],
  ['beat_analysis/', 'Rhythm'],
  ['variants/', 'Key & tempo variants'],
  ['video/', 'Karaoke video'],
  ['', 'Song & report'],
];

/**
 * The song's timed material, in seconds of the original song.
 * @typedef {object} Material
 * @property {import('./timeline.js').Line[]} lines
 * @property {import('./timeline.js').Beat[]} beats
 * @property {number} perBar
 * @property {import('./timeline.js').Note[]} notes
 * @property {any} stage the transcription stage, to say why there are no lyrics
 */

/** @type {Material} */
let song = { lines: [], beats: [], perBar: 0, notes: [], stage: undefined };

/**
 * Loads and shows job `id`'s results. The job view is passed in (`view.isOpen(id)`, `view.job()`,
 * `view.showError(message)`) because the user may open another job while they load.
 * @param {string} id
 * @param {{ isOpen: (id: string) => boolean, job: () => any, showError: (m: string) => void }} view
 */
export async function loadResults(id, view) {
  let r;
  try {
    r = await api(`/api/results/${id}`);
  } catch (err) {
    if (view.isOpen(id))
      view.showError(`Results could not be loaded: ${err instanceof Error ? err.message : err}`);
    return;
  }
  if (!view.isOpen(id)) return;
  const tracks = trackList(r);
  renderSummary(r, view.job());
  renderFiles(r);
  setupVideo(id, r.videos ?? []);
  $('stage-title').textContent = view.job()?.original_filename ?? '';
  const playerReady = setupPlayer(tracks).catch((err) => {
    $('no-audio').textContent = `The audio could not be loaded: ${err instanceof Error ? err.message : err}`;
    $('no-audio').hidden = false;
  });
  let transcription = r.transcription;
  if (transcription?.too_large_to_inline) {
    transcription = await api(`/api/files/${id}/${transcription.url}`).catch(() => null);
    if (!view.isOpen(id)) return;
  }
  /** @param {string} suffix */
  const fileDoc = async (suffix) => {
    const f = r.files.find((/** @type {{ path: string }} */ x) => x.path.endsWith(suffix));
    return f ? api(f.url).catch(() => null) : null;
  };
  const [beatsDoc, notesDoc] = await Promise.all([fileDoc('beats.json'), fileDoc('notes.json')]);
  if (!view.isOpen(id)) return;
  const beats = beatList(beatsDoc);
  song = {
    lines: lyricLines(transcription),
    beats,
    perBar: beatsPerBar(beats, r.beat_analysis, beatsDoc),
    notes: noteList(notesDoc),
    stage: r.stages?.transcription,
  };
  show(song);
  const sep = r.stages?.separation;
  $('dsp-warning').hidden = !(sep?.engine?.quality === 'fallback' && song.lines.length > 0);
  $('results').hidden = false;
  if (tracks.some((t) => t.name === 'instrumental')) {
    setupVariants(id, {
      hasVocals: () => tracks.some((t) => t.name === 'vocals'),
      original: () => backToSong(() => show(song)),
      play: (v) =>
        switchTo({ kind: 'variant', urls: v.urls, tempo: v.tempo }, () => show(forVariant(song, v))),
    });
  }
  await playerReady;
}

/** @param {Material} m */
function show(m) {
  renderLyrics(m.lines, m.stage);
  renderStage(m.lines, m.beats, m.perBar);
  setupBeats(m.beats, m.perBar);
  setupPitchLane(m.notes);
  sync();
}

/**
 * The material of a variant: its own re-timed words and beats where it has them (keeping the
 * song's confidence marks, word for word), else the song's divided by the tempo.
 * @param {Material} m
 * @param {import('./variants.js').VariantReady} v
 * @returns {Material}
 */
function forVariant(m, v) {
  let lines = retimeLines(m.lines, v.tempo);
  const own = lyricLines(v.transcription);
  const songWords = m.lines.flatMap((l) => l.words);
  if (own.length > 0) {
    const sameWords = own.flatMap((l) => l.words).length === songWords.length;
    let k = 0;
    lines = own.map((l, i) => ({
      ...l,
      lowConfidence: l.lowConfidence || Boolean(sameWords && m.lines[i]?.lowConfidence),
      words: l.words.map((w) => {
        const s = sameWords ? songWords[k] : undefined;
        k++;
        return s
          ? { ...w, confidence: w.confidence ?? s.confidence, flags: w.flags.length ? w.flags : s.flags }
          : w;
      }),
    }));
  }
  const ownBeats = beatList(v.beats);
  return {
    ...m,
    lines,
    beats: ownBeats.length > 0 ? ownBeats : retimeBeats(m.beats, v.tempo),
    notes: retimeNotes(m.notes, v.tempo, v.semitones),
  };
}

export function clearResults() {
  resetPlayer();
  resetLyrics();
  resetBeats();
  resetStage();
  resetPitchLane();
  resetVariants();
  resetVideo();
  song = { lines: [], beats: [], perBar: 0, notes: [], stage: undefined };
  $('dsp-warning').hidden = true;
  $('files').replaceChildren();
  $('summary').replaceChildren();
}

/**
 * @typedef {{ name: string, url: string, size?: number, label?: string }} Track
 * @typedef {{ path: string, url: string, size?: number, label?: string }} FileEntry
 */

/** @param {any} r the results @returns {Track[]} */
function trackList(r) {
  /** @type {Map<string, Track>} */
  const tracks = new Map();
  for (const [name, f] of Object.entries(r.stems ?? {}))
    tracks.set(name, {
      name,
      url: /** @type {FileEntry} */ (f).url,
      size: /** @type {FileEntry} */ (f).size,
    });
  if (r.original)
    tracks.set('original', {
      name: 'original',
      url: r.original.url,
      size: r.original.size,
      label: 'Original mix',
    });
  const known = TRACK_ORDER.flatMap((n) => tracks.get(n) ?? []);
  const rest = [...tracks.values()].filter((t) => !TRACK_ORDER.includes(t.name));
  return [...known, ...rest];
}

/** @param {any} r the results @param {any} job the status record */
function renderSummary(r, job) {
  const s = { ...(job?.summary ?? {}), ...(r.summary ?? {}) };
  const a = r.beat_analysis && typeof r.beat_analysis === 'object' ? r.beat_analysis : {};
  const t = r.transcription && typeof r.transcription === 'object' ? r.transcription : {};
  const num = (/** @type {unknown} */ v, /** @type {number} */ digits) =>
    typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : undefined;
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
    ['Stem format', s.stem_format],
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

/** @param {any} r the results */
function renderFiles(r) {
  /** @type {FileEntry[]} */
  const files = [
    ...r.files,
    ...variantFiles(r.variants ?? []),
    ...(r.videos ?? []).map((/** @type {{ video: FileEntry }} */ v) => v.video),
  ];
  const groups = FILE_GROUPS.map(([prefix, title]) => ({
    prefix,
    title,
    items: /** @type {FileEntry[]} */ ([]),
  }));
  // The last group's prefix is '': every file finds a group.
  for (const f of files) groups.find((g) => f.path.startsWith(g.prefix))?.items.push(f);
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
                  f.label ?? f.path.slice(g.prefix.length),
                ),
                el('span', { class: 'muted', text: f.size !== undefined ? fmtBytes(f.size) : '' }),
              ),
            ),
          ),
        ),
      ),
  );
}

/**
 * The completed variants' files, named by what the variant is ("−2 st · 0.9× · guide −12 dB").
 * @param {{ params: { semitones: number, tempo: number, vocal_db: number | null }, files: Record<string, FileEntry> }[]} variants
 * @returns {FileEntry[]}
 */
function variantFiles(variants) {
  return variants.flatMap((v) => {
    const p = v.params;
    const what = [
      p.semitones !== 0 ? `${p.semitones > 0 ? '+' : '−'}${Math.abs(p.semitones)} st` : '',
      p.tempo !== 1 ? `${p.tempo}×` : '',
      p.vocal_db !== null ? `guide ${p.vocal_db} dB` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    return Object.values(v.files).map((f) => ({
      ...f,
      label: `${what || 'original key and tempo'}: ${f.path.split('/').pop()}`,
    }));
  });
}
