#!/bin/bash
# Sung (and spoken) alignment benchmark: the product's transcribe() on every song of a corpus, on
# the true vocal stems and, when given, on separated vocals; scored by the evaluation kit's scorer
# (asr metrics: means over songs), plus the confidence calibration table over all words.
#   bench/lyrics/run-sung.sh CORPUS OUT [SEPARATED_VOCALS_DIR]
# SEPARATED_VOCALS_DIR/<song>/vocals.wav: bench/lyrics/separate-vocals.sh. Beats come from the
# product's beat engine on mixture.wav (as when the beats stage runs).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORPUS=$1 OUT=$2 SEP=${3:-}
SCORER=${SCORER:-$ROOT/../shared/eval/score_project.sh}
cd "$ROOT"
printf '| vocals | songs | WER | start MAE (ms) | within 100 ms | within 300 ms |\n|---|---|---|---|---|---|\n' > "$OUT.md.tmp"
for src in true separated; do
  voc=true
  if [ "$src" = separated ]; then [ -n "$SEP" ] || continue; voc=$SEP; fi
  dir=$OUT/$src
  rm -rf "$dir"; mkdir -p "$dir"
  npx tsx bench/lyrics/align-corpus.ts --corpus "$CORPUS" --out "$dir" --vocals "$voc" --beats > "$dir/align.log" 2>&1
  songs=$(find "$dir" -name transcription.json -printf '%h\n' | xargs -n1 basename | sort | paste -sd, -)
  SCORE_JSON=$dir/score.json "$SCORER" "$CORPUS" "$dir" --metrics asr --songs "$songs" --quiet > "$dir/summary.json"
  /usr/bin/python3 - "$dir" "$src" >> "$OUT.md.tmp" <<'PY'
import json, sys
d, src = sys.argv[1], sys.argv[2]
s = json.load(open(d + "/summary.json"))
rows = [json.loads(l) for l in open(d + "/words.jsonl")]
songs = sorted({r["song"] for r in rows})
w100 = {}
for r in rows: w100.setdefault(r["song"], []).append(r["err_ms"] <= 100)
m100 = sum(sum(v) / len(v) for v in w100.values()) / max(1, len(w100))
print("| %s | %d | %.3f | %.1f | %.1f %% | %.1f %% |" % (src, len(songs), s["wer_mean"], s["start_mae_ms"], 100 * m100, 100 * s["start_within_300ms"]))
PY
done
{ cat "$OUT.md.tmp"; echo; for src in true separated; do
  [ -f "$OUT/$src/words.jsonl" ] || continue
  echo "Calibration, $src vocals:"; echo; /usr/bin/python3 "$HERE/calibration.py" "$OUT/$src/words.jsonl"; echo; done; } > "$OUT.md"
rm "$OUT.md.tmp"
cat "$OUT.md"
