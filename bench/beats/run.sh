#!/bin/bash
# Beat analysis benchmark: our engine (beat-dsp) vs aubio on the evaluation corpus, side by side.
#   bench/beats/run.sh [corpus_dir] [rounds]
# 1. accuracy: runs both on every song, scores both with the corpus scorer (beat metrics);
# 2. speed: times both on the corpus's 3-minute song, interleaved, `rounds` times each:
#    - `aubio beat <wav>` (whole process),
#    - our engine as a process (node + tsx, WAV read + decode + analysis + JSON write),
#      with the engine time after decoding reported separately,
#    - `karaoke process <wav> --stages beats` when dist/cli/main.js exists (npm run build).
# Prints a markdown table (the one recorded in BENCHMARKS.md). Needs aubio-tools and Debian's python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVAL=${EVAL:-../shared/eval}
CORPUS=${1:-/tmp/karaoke-eval/public/corpus}
ROUNDS=${2:-5}
OUT=${BEATS_BENCH_OUT:-/tmp/karaoke-eval/beats-bench}
PY=${PY:-/usr/bin/python3}
LONG=$(ls -d "$CORPUS"/*long* 2>/dev/null | head -1)
rm -rf "$OUT"; mkdir -p "$OUT"

echo "== running beat-dsp and aubio on $CORPUS" >&2
npx tsx bench/beats/analyze-corpus.ts "$CORPUS" "$OUT/ours" >&2
"$PY" "$EVAL/baselines.py" aubio "$CORPUS" "$OUT/aubio" >/dev/null
for sys in ours aubio; do
  SCORE_JSON="$OUT/$sys.score.json" "$EVAL/score_project.sh" "$CORPUS" "$OUT/$sys" --metrics beat --quiet > "$OUT/$sys.summary.json"
done

echo "== timing on $(basename "$LONG") ($ROUNDS interleaved rounds)" >&2
WAV="$LONG/mixture.wav"
CLI=""
[ -f dist/cli/main.js ] && CLI=1
: > "$OUT/times.txt"
now() { date +%s.%N; }
for r in $(seq "$ROUNDS"); do
  t=$(now); aubio beat "$WAV" > "$OUT/aubio_beats.txt"; echo "aubio $(echo "$(now) - $t" | bc)" >> "$OUT/times.txt"
  t=$(now); j=$(node --import tsx bench/beats/time-one.ts "$WAV" "$OUT/ours_one.json")
  echo "ours $(echo "$(now) - $t" | bc)" >> "$OUT/times.txt"
  echo "ours_engine $(echo "$j" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["engine_ms"]/1000)')" >> "$OUT/times.txt"
  echo "ours_decode $(echo "$j" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["decode_ms"]/1000)')" >> "$OUT/times.txt"
  if [ -n "$CLI" ]; then
    rm -rf "$OUT/cli"
    t=$(now); node bin/karaoke.js process "$WAV" --out "$OUT/cli" --stages beats > /dev/null 2>&1 && echo "cli $(echo "$(now) - $t" | bc)" >> "$OUT/times.txt" || echo "cli-failed" >&2
  fi
done

"$PY" - "$OUT" "$ROUNDS" <<'PYEOF'
import json, sys, statistics as st, collections
out, rounds = sys.argv[1], sys.argv[2]
s = {k: json.load(open(f"{out}/{k}.summary.json")) for k in ("ours", "aubio")}
t = collections.defaultdict(list)
for line in open(f"{out}/times.txt"):
    k, v = line.split(); t[k].append(float(v))
med = lambda k: st.median(t[k]) if t[k] else None
print("| system | beat F (70 ms) | CMLt | AMLt | downbeat F | tempo Acc1 | tempo Acc2 | time sig. acc | onset F (50 ms) |")
print("|---|---|---|---|---|---|---|---|---|")
for k, name in (("ours", "beat-dsp (ours)"), ("aubio", "aubio 0.4.9 (4/4 constant)")):
    x = s[k]
    db = "-" if not x.get("downbeats_provided") else f"{x['downbeat_f']:.3f}"
    print(f"| {name} | {x['beat_f']:.3f} | {x['cmlt']:.3f} | {x['amlt']:.3f} | {db} | {x['tempo_acc1']:.2f} | {x['tempo_acc2']:.2f} | {x['ts_acc']:.2f} | {x['onset_f']:.3f} |")
print()
print(f"Speed on the 3-minute song, median of {rounds} interleaved rounds (wall seconds):")
print()
print("| run | median s | all runs |")
print("|---|---|---|")
rows = [("aubio", "`aubio beat mixture.wav` (whole process)"),
        ("ours", "beat-dsp process: node+tsx start, WAV read+decode, analysis, JSON write"),
        ("ours_decode", "  of which WAV read + decode + mono"),
        ("ours_engine", "  of which engine (after decoding)"),
        ("cli", "`karaoke process --stages beats` (whole CLI)")]
for k, name in rows:
    if t[k]:
        print(f"| {name} | {med(k):.3f} | {' '.join(f'{v:.2f}' for v in t[k])} |")
if t["aubio"] and t["ours"]:
    print(f"\nratio aubio / beat-dsp process = {med('aubio')/med('ours'):.2f}x; aubio / engine-only = {med('aubio')/med('ours_engine'):.1f}x")
PYEOF
