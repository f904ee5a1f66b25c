#!/usr/bin/env bash
# Instructions per replayed request, a figure this noisy machine cannot blur: one-thread
# replays of SMALL and 2 × SMALL requests of the `large` scenario (with its candidate)
# under callgrind, and the difference divided by SMALL, so that start-up, compiling the
# tables and writing the report cancel out. Prints the total and the functions that
# cost the most per request. Instructions are not time (cache misses and atomic
# reference counting cost more than their count says), so confirm a change with
# alternating runs of benchmarks/replay.sh's command as well.
#
#   benchmarks/replay-instructions.sh     (env: SMALL=200000 TOP=25 SCRATCH=.build WORK=/tmp/gwsim-replay-instructions)
set -euo pipefail
cd "$(dirname "$0")/.."
small=${SMALL:-200000}
top=${TOP:-25}
scratch=${SCRATCH:-.build}
work=${WORK:-/tmp/gwsim-replay-instructions}
scripts/ensure-deps
if ! command -v valgrind >/dev/null || ! command -v python3 >/dev/null; then
    echo "installing valgrind python3" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq valgrind python3 >&2
fi
scripts/build-release --scratch-path "$scratch" >&2
mkdir -p "$work"
# This valgrind cannot read the binary's debug information; the symbol table is enough.
strip --strip-debug -o "$work/gwsim" "$scratch/release/gwsim"
for n in "$small" $((2 * small)); do
    "$work/gwsim" generate scenarios/large.yaml -o "$work/large-$n.zst" --requests "$n" >/dev/null
    valgrind --tool=callgrind --callgrind-out-file="$work/$n.callgrind" "$work/gwsim" replay "$work/large-$n.zst" \
        --with scenarios/large/candidate.yaml --threads 1 -o json --no-progress >/dev/null 2>"$work/$n.stderr" \
        || { cat "$work/$n.stderr" >&2; exit 1; }
done
python3 - "$work/$small.callgrind" "$work/$((2 * small)).callgrind" "$small" "$top" <<'EOF'
import re, subprocess, sys
def costs(path):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", path], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in line:
            name = re.sub(r"\s*\[.*\]$", "", m.group(2)).replace("???:", "")
            table[name] = table.get(name, 0) + int(m.group(1).replace(",", ""))
    return table
a, b, n, top = costs(sys.argv[1]), costs(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
per = {k: (b.get(k, 0) - a.get(k, 0)) / n for k in set(a) | set(b)}
total = sum(per.values())
print(f"instructions per replayed request: {total:.0f}")
rows = sorted(per.items(), key=lambda kv: -kv[1])[:top]
names = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(n for n, _ in rows),
                       capture_output=True, text=True).stdout.splitlines()
for (name, cost), readable in zip(rows, names if len(names) == len(rows) else [n for n, _ in rows]):
    print(f"{cost:8.0f} {100 * cost / total:5.1f}%  {readable[:140]}")
EOF
