// The player page: upload a song, follow the job live, play the result with synced lyrics.
// Plain ES modules, no dependencies; they talk only to /api (see /docs). This entry wires them
// together and opens the job named in the address (`#job=<id>`).

import { initApiKey } from './api.js';
import { syncBeat } from './beats.js';
import { initJobActions, openJob, openJobId } from './job-view.js';
import { initJobsList, refreshJobs } from './jobs-list.js';
import { initLyrics, syncLyrics } from './lyrics.js';
import { syncPitchLane } from './pitch-lane.js';
import { initPlayer, initShortcuts } from './player.js';
import { initStageView, syncStage } from './stage-view.js';
import { initUpload } from './upload.js';
import { initVariants } from './variants.js';

function jobFromHash() {
  const m = /^#job=([0-9a-f-]{36})$/i.exec(location.hash);
  return m ? m[1] : null;
}

initJobsList({ open: (/** @type {string} */ id) => openJob(id, { reveal: true }), openId: openJobId });
initUpload();
initJobActions();
initLyrics();
initStageView();
initVariants();
initPlayer((t) => {
  syncStage(t);
  syncLyrics(t);
  syncBeat(t);
  syncPitchLane(t);
});
initShortcuts();
initApiKey(() => void refreshJobs());
window.addEventListener('hashchange', () => {
  const id = jobFromHash();
  if (id) openJob(id);
});
const initial = jobFromHash();
if (initial) openJob(initial, { reveal: true });
void refreshJobs();
