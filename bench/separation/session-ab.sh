#!/usr/bin/env bash
# Session options A/B: each configuration a process of its own under /usr/bin/time -v, configurations
# alternated for ROUNDS rounds so they see the same machine load; one JSON line per process in $OUT/ab.jsonl.
#   bench/separation/session-ab.sh <song.wav> [rounds] [out]   (configurations in CONFIGS below)
set -euo pipefail
cd "$(dirname "$0")/../.."
SONG=$1; ROUNDS=${2:-2}; OUT=${3:-/tmp/karaoke-eval/sep-ab}
mkdir -p "$OUT"
CONFIGS=${CONFIGS:-"--arena 0 --spin 1|--arena 0 --spin 0|--arena 1 --spin 0"}
IFS='|' read -ra CFG <<< "$CONFIGS"
for r in $(seq 1 "$ROUNDS"); do
  for c in "${CFG[@]}"; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2086
    line=$(/usr/bin/time -v -o "$OUT/time.txt" node --import tsx bench/separation/session-options.ts "$SONG" $c --runs "${RUNS:-2}")
    rss=$(grep 'Maximum resident' "$OUT/time.txt" | awk '{print $NF}')
    wall=$(grep 'Elapsed' "$OUT/time.txt" | awk '{print $NF}')
    echo "{\"round\":$r,\"config\":\"$c\",\"load\":$load,\"wall\":\"$wall\",\"peakRssKb\":$rss,\"result\":$line}" | tee -a "$OUT/ab.jsonl"
  done
done
