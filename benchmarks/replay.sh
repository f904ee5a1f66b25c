#!/usr/bin/env bash
# Replay benchmark (issue: the `large` scenario, read + decompress + parse + two routing
# passes + aggregation). Generates the trace once, then reports, each as the median of
# RUNS runs: `zstd -dc trace > /dev/null`, `gwsim replay` with --threads 1 and 2 (with
# the scenario's candidate change), requests/s, the replay / zstd time ratio, bytes per
# request of the trace, and peak memory (to show it stays flat as the trace grows, run
# it with a larger REQUESTS and compare).
#
#   benchmarks/replay.sh        (env: REQUESTS=10000000 RUNS=3 SCRATCH=.build WORK=/tmp/gwsim-replay-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${REQUESTS:-10000000}
runs=${RUNS:-3}
scratch=${SCRATCH:-.build}
work=${WORK:-/tmp/gwsim-replay-bench}
scripts/ensure-deps
scripts/build-release --scratch-path "$scratch" >&2
gwsim="$scratch/release/gwsim"
mkdir -p "$work"
# A trace from an earlier build may have another format or generator: the file name
# carries a digest of what this build writes for the first 1000 requests.
"$gwsim" generate scenarios/large.yaml -o "$work/probe.zst" --requests 1000 >/dev/null
trace="$work/large-$requests-$(sha1sum "$work/probe.zst" | cut -c1-12).zst"
if [[ ! -s $trace ]]; then
    echo "generating $requests requests of scenarios/large.yaml -> $trace" >&2
    "$gwsim" generate scenarios/large.yaml -o "$trace" --requests "$requests" >&2
fi
bytes=$(stat -c %s "$trace")

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
seconds() { # command...: wall seconds (and peak RSS in kB into $work/rss)
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    read -r s rss <"$work/time"
    echo "$rss" >"$work/rss"
    echo "$s"
}

zstd_runs=() ; for ((i = 0; i < runs; i++)); do zstd_runs+=("$(seconds zstd -dc "$trace")"); done
zstd_s=$(printf '%s\n' "${zstd_runs[@]}" | median)
echo "trace: $requests requests, $bytes bytes, $(awk -v b="$bytes" -v n="$requests" 'BEGIN { printf "%.1f", b / n }') bytes/request"
echo "zstd -dc: median ${zstd_s} s (runs: ${zstd_runs[*]})"
for threads in 1 2; do
    times=()
    for ((i = 0; i < runs; i++)); do
        times+=("$(seconds "$gwsim" replay "$trace" --with scenarios/large/candidate.yaml --threads "$threads" -o json --no-progress)")
    done
    s=$(printf '%s\n' "${times[@]}" | median)
    awk -v n="$requests" -v s="$s" -v z="$zstd_s" -v t="$threads" -v r="${times[*]}" -v rss="$(cat "$work/rss")" 'BEGIN {
        printf "replay --threads %d: median %.2f s = %.0f requests/s, %.1fx zstd -dc (runs: %s), peak RSS %d MB\n", t, s, n / s, s / z, r, rss / 1024 }'
done
