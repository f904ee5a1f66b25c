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
benchmarks/callgrind-per-request.py "$work/$small.callgrind" "$work/$((2 * small)).callgrind" "$small" "replayed request" "$top"
