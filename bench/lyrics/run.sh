#!/bin/bash
# Known-lyrics alignment benchmark: our aligner (dp) and the naive peer (uniform) on the true
# vocal stems and on separated vocals, scored by the evaluation kit's own scorer (asr metrics).
#   bench/lyrics/run.sh [CORPUS] [SEPARATED_VOCALS_DIR] [OUT]
# SEPARATED_VOCALS_DIR/<song>/vocals.wav: make it with bench/lyrics/separate-vocals.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORPUS=${1:-/tmp/karaoke-eval/public/corpus}
SEP=${2:-/tmp/karaoke-eval/lyrics-sepvocals}
OUT=${3:-/tmp/karaoke-eval/lyrics-bench}
SCORER=${SCORER:-$ROOT/../shared/eval/score_project.sh}
cd "$ROOT"
mkdir -p "$OUT"
printf '| vocals | method | WER | start MAE (ms) | within 300 ms | wall time (s, all songs) |\n|---|---|---|---|---|---|\n' > "$OUT.md.tmp"
for src in true separated; do
  voc=true; [ "$src" = separated ] && voc=$SEP
  for method in dp uniform; do
    dir=$OUT/$src-$method
    rm -rf "$dir"; mkdir -p "$dir"
    start=$(date +%s.%N)
    npx tsx bench/lyrics/align-corpus.ts --corpus "$CORPUS" --out "$dir" --vocals "$voc" --method "$method" > "$dir/align.log" 2>&1
    end=$(date +%s.%N)
    SCORE_JSON=$dir/score.json "$SCORER" "$CORPUS" "$dir" --metrics asr --quiet > "$dir/summary.json"
    /usr/bin/python3 - "$dir/summary.json" "$src" "$method" "$(echo "$end - $start" | bc)" >> "$OUT.md.tmp" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("| %s | %s | %.3f | %.1f | %.1f %% | %.1f |" % (sys.argv[2], sys.argv[3], s["wer_mean"], s["start_mae_ms"], 100 * s["start_within_300ms"], float(sys.argv[4])))
PY
  done
done
mv "$OUT.md.tmp" "$OUT.md"
cat "$OUT.md"
