#!/usr/bin/env bash
# Instructions per routing decision against the table's size, a figure this machine's noise
# and cache sizes cannot blur: `gwsim bench routing` runs under callgrind for each size
# (SIZES routes, five rules each, one hostname per ten routes, REQUESTS requests over
# 65,536 distinct ones), collecting only inside the two lookups the routing benchmark
# times in place: `RoutingTable.verdict` one request at a time and `RoutingTable.verdicts`
# for the whole run (batched; staged sixteen at a time once the table outgrows a core's
# cache, FlatTable.outgrowsCache). Equal counts across sizes say that no step of a decision
# grows with the number of routes; what the per-second rates of benchmarks/routing.sh still
# lose on a large table is waiting for memory (docs/benchmarks.md).
#
#   benchmarks/routing-instructions.sh   (env: SIZES="10 1000 10000", REQUESTS=200000,
#                                         SCRATCH=.build, GWSIM=path/to/gwsim to skip the build)
# 100000 routes takes about ten minutes and 2 GB under callgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-10 1000 10000}
requests=${REQUESTS:-200000}
scratch=${SCRATCH:-.build}
if ! command -v valgrind >/dev/null; then
    echo "installing valgrind" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq valgrind >&2
fi
binary=$(scripts/release-binary "$scratch")  # $GWSIM, or the release build
work=$(mktemp -d /tmp/gwsim-routing-instructions.XXXXXX)
trap 'rm -rf "$work"' EXIT
# This valgrind cannot read the binary's debug information; the symbol table is enough.
strip --strip-debug -o "$work/gwsim" "$binary"
nm "$work/gwsim" >"$work/symbols"
one=$(awk '$3 ~ /RoutingCore0A5TableC7verdict_3key.*BorrowedRequestV_/ { print $3; exit }' "$work/symbols")
batch=$(awk '$3 ~ /RoutingCore0A5TableC8verdicts_3key_ySRyAA15BorrowedRequestVG/ { print $3; exit }' "$work/symbols")
[[ -n $one && -n $batch ]] || { echo "error: the lookup functions are not in the symbol table of $binary" >&2; exit 1; }

printf '| %8s | %18s | %18s |\n' routes "one by one" "batched"
printf '|%s|%s|%s|\n' "----------" "--------------------" "--------------------"
for routes in $sizes; do
    hostnames=$(( routes >= 10 ? routes / 10 : 1 ))
    valgrind --tool=callgrind --callgrind-out-file="$work/$routes.out" --collect-atstart=no \
        --toggle-collect="$one" --toggle-collect="$batch" \
        "$work/gwsim" bench routing --routes "$routes" --rules-per-route 5 --hostnames "$hostnames" \
        --requests "$requests" --repeat 1 >"$work/$routes.log" 2>&1
    inclusive() { callgrind_annotate --inclusive=yes "$work/$routes.out" 2>/dev/null | awk -v f="$1" 'index($0, f) { gsub(",", "", $1); print $1; exit }'; }
    printf '| %8s | %18s | %18s |\n' "$routes" \
        "$(awk -v n="$(inclusive "$one")" -v r="$requests" 'BEGIN { printf "%.0f", n / r }')" \
        "$(awk -v n="$(inclusive "$batch")" -v r="$requests" 'BEGIN { printf "%.0f", n / r }')"
done
echo "instructions per decision (verdict in place), $requests requests over 65,536 distinct ones"
