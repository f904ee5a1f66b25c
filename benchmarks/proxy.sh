#!/usr/bin/env bash
# Live proxy benchmark: gwsim proxy vs nginx vs haproxy, side by side, same backend, same
# routing (Host + path prefix, benchmarks/proxy-routes.yaml / proxy-nginx.conf /
# proxy-haproxy.cfg), then gwsim with request recording (--log) on vs off.
# For each: a 3 s warm-up, then `wrk -t1 -c64 -d10s --latency` three times; prints the
# median requests/s and median p99 latency. Everything on 127.0.0.1; total well under 5 min
# once the release build is done. Everything started here is stopped on exit.
#
#   benchmarks/proxy.sh            (env: SCRATCH=.build-live, BASE_PORT=19100, DURATION=10s,
#                                   GWSIM=path/to/gwsim to skip the build and use that binary)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scratch=${SCRATCH:-.build-live}
base=${BASE_PORT:-19100}
duration=${DURATION:-10s}
runs=3
whoami_port=$base
gwsim_port=$((base + 1))
nginx_port=$((base + 2))
haproxy_port=$((base + 3))
gwsim_log_port=$((base + 4))
work=$(mktemp -d /tmp/gwsim-proxy-bench.XXXXXX)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# --- tools ---------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${missing[@]}" >&2 || apt-get install -y -qq "${missing[@]/nginx-light/nginx}" >&2
fi

if [[ -n ${GWSIM:-} ]]; then
    gwsim=$GWSIM  # a prebuilt binary (e.g. to compare two builds); no build
else
    scripts/build-release --scratch-path "$scratch" >&2
    gwsim="$root/$scratch/release/gwsim"
fi

# --- helpers -------------------------------------------------------------------------
wait_ready() { # port: wait until the route answers 200 (at most 15 s)
    local port=$1 i
    for i in $(seq 1 150); do
        if [[ $(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench.local' "http://127.0.0.1:$port/api/ping" || true) == 200 ]]; then
            return 0
        fi
        sleep 0.1
    done
    echo "error: nothing answers 200 on 127.0.0.1:$port" >&2
    return 1
}

to_ms() { # wrk latency (e.g. 812.00us, 1.23ms, 1.01s) -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "%s", v }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A rps p99
bench() { # name port
    local name=$1 port=$2 out i r l rs=() ls=()
    wait_ready "$port"
    wrk -t1 -c64 -d3s -H 'Host: bench.local' "http://127.0.0.1:$port/api/bench" >/dev/null
    for i in $(seq 1 $runs); do
        out=$(wrk -t1 -c64 -d"$duration" --latency -H 'Host: bench.local' "http://127.0.0.1:$port/api/bench")
        r=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
        l=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
        if grep -q 'Non-2xx' <<<"$out"; then echo "warning: $name: $(grep 'Non-2xx' <<<"$out")" >&2; fi
        echo "  $name run $i: $r req/s, p99 $l ms" >&2
        rs+=("$r"); ls+=("$l")
    done
    rps[$name]=$(printf '%s\n' "${rs[@]}" | median)
    p99[$name]=$(printf '%s\n' "${ls[@]}" | median)
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# --- backend ---------------------------------------------------------------------------
"$gwsim" whoami --listen "127.0.0.1:$whoami_port" --name bench >"$work/whoami.out" 2>&1 &
pids+=($!)

# Every proxy gets 2 threads: gwsim --threads 2, nginx worker_processes 2, haproxy nbthread 2.
proxy_threads=2

# --- gwsim proxy (recording off) -----------------------------------------------------
"$gwsim" proxy --threads "$proxy_threads" -f benchmarks/proxy-routes.yaml --backend "bench/whoami=127.0.0.1:$whoami_port" \
    --port-map "8000=$gwsim_port" >"$work/gwsim.out" 2>&1 &
gwsim_pid=$!; pids+=($gwsim_pid)
bench gwsim "$gwsim_port"
stop_pid $gwsim_pid

# --- nginx -----------------------------------------------------------------------------
mkdir -p "$work/nginx"
sed -e "s|@WHOAMI@|127.0.0.1:$whoami_port|g" -e "s|@PORT@|$nginx_port|g" -e "s|@PREFIX@|$work/nginx|g" \
    benchmarks/proxy-nginx.conf >"$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx.out" 2>&1 &
nginx_pid=$!; pids+=($nginx_pid)
bench nginx "$nginx_port"
stop_pid $nginx_pid

# --- haproxy ---------------------------------------------------------------------------
sed -e "s|@WHOAMI@|127.0.0.1:$whoami_port|g" -e "s|@PORT@|$haproxy_port|g" benchmarks/proxy-haproxy.cfg >"$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.out" 2>&1 &
haproxy_pid=$!; pids+=($haproxy_pid)
bench haproxy "$haproxy_port"
stop_pid $haproxy_pid

# --- gwsim proxy with recording on -----------------------------------------------------
"$gwsim" proxy --threads "$proxy_threads" -f benchmarks/proxy-routes.yaml --backend "bench/whoami=127.0.0.1:$whoami_port" \
    --port-map "8000=$gwsim_log_port" --log "$work/events.db" >"$work/gwsim-log.out" 2>&1 &
gwsim_log_pid=$!; pids+=($gwsim_log_pid)
bench gwsim+log "$gwsim_log_port"
stop_pid $gwsim_log_pid
recorded=$(grep -Eo 'recorded [0-9]+ event\(s\)' "$work/gwsim-log.out" | tail -1 || true)

# --- report ----------------------------------------------------------------------------
echo
echo "wrk -t1 -c64 -d$duration --latency, median of $runs runs, $(nproc) CPUs, $(date -u +%Y-%m-%d)"
printf '| %-22s | %12s | %12s | %14s |\n' proxy "requests/s" "p99 (ms)" "vs nginx (rps)"
printf '|%s|%s|%s|%s|\n' "------------------------" "--------------" "--------------" "----------------"
for name in gwsim nginx haproxy gwsim+log; do
    label=$name
    [[ $name == gwsim ]] && label="gwsim proxy"
    [[ $name == gwsim+log ]] && label="gwsim proxy --log"
    ratio=$(awk -v a="${rps[$name]}" -v b="${rps[nginx]}" 'BEGIN { printf "%.2f", a / b }')
    printf '| %-22s | %12s | %12s | %14s |\n' "$label" "${rps[$name]}" "${p99[$name]}" "$ratio"
done
echo
awk -v a="${rps[gwsim]}" -v b="${rps[nginx]}" 'BEGIN { printf "gwsim/nginx requests/s: %.2f\n", a / b }'
awk -v a="${rps[gwsim+log]}" -v b="${rps[gwsim]}" 'BEGIN { printf "gwsim recording on/off requests/s: %.2f\n", a / b }'
[[ -n $recorded ]] && echo "gwsim --log: $recorded"
exit 0
