#!/bin/bash
# Beat analysis benchmark: our engine (beat-dsp) vs aubio on the evaluation corpus, side by side.
#   bench/beats/run.sh [corpus_dir] [rounds]
# 1. accuracy: runs both on every song, scores both with the corpus scorer (beat metrics);
# 2. speed: times both on the corpus's 3-minute song, interleaved, `rounds` times each:
#    - `aubio beat <wav>` (whole process),
#    - our engine as a process (node + tsx, WAV read + decode + analysis + JSON write),
#      with the engine time after decoding reported separately,
#    - `karaoke process <wav> --stages beats` when dist/cli/main.js exists (BUILD=1 runs npm run build).
#    Wall and CPU (user+sys) times are both recorded: on a shared machine CPU time is the steadier one.
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
if [ "${BUILD:-0}" = 1 ]; then npm run build > /dev/null 2>&1 || echo "build reported errors (dist may still be usable)" >&2; fi

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
# Wall and CPU (user+sys) seconds of one command, appended to times.txt as "<name> <wall> <cpu>".
timed() {
  local name=$1; shift
  if /usr/bin/time -f "%e %U %S" -o "$OUT/t.txt" "$@" > "$OUT/$name.stdout" 2>/dev/null; then
    read -r e u s < "$OUT/t.txt"; echo "$name $e $(echo "$u + $s" | bc)" >> "$OUT/times.txt"
  else
    echo "$name failed" >&2
  fi
}
for r in $(seq "$ROUNDS"); do
  timed aubio aubio beat "$WAV"
  timed ours node --import tsx bench/beats/time-one.ts "$WAV" "$OUT/ours_one.json"
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("ours_engine", d["engine_ms"]/1000, d["engine_cpu_ms"]/1000); print("ours_decode", d["decode_ms"]/1000, "nan")' "$OUT/ours.stdout" >> "$OUT/times.txt"
  if [ -n "$CLI" ]; then
    rm -rf "$OUT/cli"
    timed cli node bin/karaoke.js process "$WAV" --out "$OUT/cli" --stages beats
  fi
done

"$PY" - "$OUT" "$ROUNDS" <<'PYEOF'
import json, sys, statistics as st, collections
out, rounds = sys.argv[1], sys.argv[2]
s = {k: json.load(open(f"{out}/{k}.summary.json")) for k in ("ours", "aubio")}
t = collections.defaultdict(list)
c = collections.defaultdict(list)
for line in open(f"{out}/times.txt"):
    k, w, cpu = line.split()
    t[k].append(float(w))
    if cpu != "nan":
        c[k].append(float(cpu))
med = lambda d, k: st.median(d[k]) if d[k] else None
fmt = lambda v: "-" if v is None else f"{v:.3f}"
print("| system | beat F (70 ms) | CMLt | AMLt | downbeat F | tempo Acc1 | tempo Acc2 | time sig. acc | onset F (50 ms) |")
print("|---|---|---|---|---|---|---|---|---|")
for k, name in (("ours", "beat-dsp (ours)"), ("aubio", "aubio 0.4.9 (4/4 constant)")):
    x = s[k]
    db = "-" if not x.get("downbeats_provided") else f"{x['downbeat_f']:.3f}"
    print(f"| {name} | {x['beat_f']:.3f} | {x['cmlt']:.3f} | {x['amlt']:.3f} | {db} | {x['tempo_acc1']:.2f} | {x['tempo_acc2']:.2f} | {x['ts_acc']:.2f} | {x['onset_f']:.3f} |")
print()
print("Per song (ours / aubio):")
print()
print("| song | beat F | tempo est / true | time sig. | downbeat F |")
print("|---|---|---|---|---|")
songs = {k: {r["song"]: r.get("beat", {}) for r in json.load(open(f"{out}/{k}.score.json"))["songs"]} for k in ("ours", "aubio")}
for song, o in songs["ours"].items():
    a = songs["aubio"].get(song, {})
    f3 = lambda v: "-" if v is None else f"{v:.3f}"
    f1 = lambda v: "-" if v is None else f"{v:.1f}"
    print(f"| {song} | {f3(o.get('beat_f'))} / {f3(a.get('beat_f'))} | {f1(o.get('tempo_est'))} / {f1(a.get('tempo_est'))} / {f1(o.get('tempo_true'))} "
          f"| {o.get('ts_est')} / {a.get('ts_est')} ({o.get('ts_true')}) | {f3(o.get('downbeat_f'))} |")
print()
print(f"Speed on the 3-minute song, median of {rounds} interleaved rounds (seconds; CPU = user+sys):")
print()
print("| run | wall (median) | CPU (median) | wall, all runs |")
print("|---|---|---|---|")
rows = [("aubio", "`aubio beat mixture.wav` (whole process)"),
        ("cli", "`node bin/karaoke.js process mixture.wav --stages beats` (whole CLI)"),
        ("ours", "beat-dsp as a process (node + tsx loader, WAV read + decode, analysis, JSON)"),
        ("ours_decode", "&nbsp;&nbsp;of which WAV read + `decodeWav`"),
        ("ours_engine", "&nbsp;&nbsp;of which engine `analyzeBeats` (after decoding)")]
for k, name in rows:
    if t[k]:
        print(f"| {name} | {fmt(med(t, k))} | {fmt(med(c, k))} | {' '.join(f'{v:.2f}' for v in t[k])} |")
print()
if t["aubio"] and t["cli"]:
    print(f"aubio / CLI: wall {med(t,'aubio')/med(t,'cli'):.2f}x, CPU {med(c,'aubio')/med(c,'cli'):.2f}x (above 1 = ours faster)")
if t["aubio"] and t["ours"]:
    print(f"aubio / beat-dsp process: wall {med(t,'aubio')/med(t,'ours'):.2f}x, CPU {med(c,'aubio')/med(c,'ours'):.2f}x")
PYEOF
