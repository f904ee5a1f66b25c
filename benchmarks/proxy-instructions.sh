#!/usr/bin/env bash
# Instructions per proxied request, a figure this noisy machine cannot blur: `gwsim proxy`
# (benchmarks/proxy-routes.yaml, as in proxy.sh) runs under callgrind twice, behind it
# `gwsim whoami`, in front of it `wrk -t1 -c16` for SHORT and for LONG; the difference of
# the two totals divided by the difference of the requests wrk completed cancels start-up
# and shutdown out. Counts every thread of the proxy (event loops, and with LOG=1 the
# event log's writer). Prints the total and the functions that cost the most per
# request. Instructions are not time (system calls, cache misses and atomic reference
# counting cost more than their count says): confirm a change with proxy.sh too.
#
#   benchmarks/proxy-instructions.sh   (env: SHORT=5s LONG=15s TOP=25 LOG=0 BASE_PORT=19300
#                                       SCRATCH=.build WORK=/tmp/gwsim-proxy-instructions
#                                       GWSIM=path/to/gwsim to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
short=${SHORT:-5s}
long=${LONG:-15s}
top=${TOP:-25}
base=${BASE_PORT:-19300}
scratch=${SCRATCH:-.build}
work=${WORK:-/tmp/gwsim-proxy-instructions}
missing=()
command -v valgrind >/dev/null || missing+=(valgrind)
command -v python3 >/dev/null || missing+=(python3)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${missing[@]}" >&2
fi
binary=$(scripts/release-binary "$scratch")  # $GWSIM, or the release build
rm -rf "$work" && mkdir -p "$work"
# This valgrind cannot read the binary's debug information; the symbol table is enough.
strip --strip-debug -o "$work/gwsim" "$binary"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
"$work/gwsim" whoami --listen "127.0.0.1:$base" >"$work/whoami.log" 2>&1 &
pids+=($!)

run() { # name duration: one proxy under callgrind; prints the requests wrk completed
    local name=$1 duration=$2 log=() i
    [[ ${LOG:-0} == 1 ]] && log=(--log "$work/$name.db")
    valgrind --tool=callgrind --callgrind-out-file="$work/$name.callgrind" "$work/gwsim" proxy -f benchmarks/proxy-routes.yaml \
        --backend "bench/whoami=127.0.0.1:$base" --port-map "8000=$((base + 1))" "${log[@]}" >"$work/$name.log" 2>&1 &
    local proxy=$!
    for i in $(seq 1 240); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench.local' "http://127.0.0.1:$((base + 1))/api/ping" || true) == 200 ]] && break
        sleep 0.5
    done
    wrk -t1 -c16 -d"$duration" -H 'Host: bench.local' "http://127.0.0.1:$((base + 1))/api/bench" | awk '/requests in/ {print $1}'
    kill -TERM "$proxy"
    wait "$proxy" || true
}
a=$(run short "$short")
b=$(run long "$long")
echo "requests: $a and $b"
benchmarks/callgrind-per-request.py "$work/short.callgrind" "$work/long.callgrind" "$((b - a))" "proxied request" "$top"
