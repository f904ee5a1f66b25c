#!/usr/bin/env bash
# Live proxy benchmark: gwsim proxy vs nginx vs haproxy, side by side, same backend, same
# routing (Host + path prefix, benchmarks/proxy-routes.yaml / proxy-nginx.conf /
# proxy-haproxy.cfg), gwsim with request recording (--log) on vs off, and gwsim with one
# event loop thread instead of two. All five run at once (an idle proxy costs nothing);
# after a 3 s warm-up each, every round gives each of them one
# `wrk -t1 -c64 -d10s --latency` in turn. A shared machine's speed
# drifts over minutes, so the ratios are taken within a round (gwsim/nginx, --log/no log)
# and their median reported, beside the median requests/s, p99 and CPU per request (from
# /proc/PID/stat) of each proxy.
# Everything on 127.0.0.1; about 5 min once the release build is done. Everything started
# here is stopped on exit.
#
#   benchmarks/proxy.sh            (env: SCRATCH=.build-live, BASE_PORT=19100, DURATION=10s,
#                                   RUNS=5, GWSIM=path/to/gwsim to skip the build and use
#                                   that binary)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-live}
base=${BASE_PORT:-19100}
duration=${DURATION:-10s}
runs=${RUNS:-5}
whoami_port=$base
gwsim_port=$((base + 1))
nginx_port=$((base + 2))
haproxy_port=$((base + 3))
gwsim_log_port=$((base + 4))
gwsim_one_port=$((base + 5))
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

gwsim=$(scripts/release-binary "$scratch")  # $GWSIM, or the release build

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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

names=(gwsim nginx haproxy gwsim+log gwsim-1)
declare -A port=([gwsim]=$gwsim_port [nginx]=$nginx_port [haproxy]=$haproxy_port [gwsim+log]=$gwsim_log_port [gwsim-1]=$gwsim_one_port)
declare -A rps p99 runs_rps runs_p99 runs_cpu pid
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tree_ticks() { # pid: CPU ticks of the process and its children (nginx's workers)
    local total=0 p
    for p in "$1" $(pgrep -P "$1" || true); do total=$((total + $(cpu_ticks "$p"))); done
    echo "$total"
}
measure() { # name round: one wrk run; its requests/s into rps[name], p99 into p99[name]
    local name=$1 out before after requests
    before=$(tree_ticks "${pid[$name]}")
    out=$(wrk -t1 -c64 -d"$duration" --latency -H 'Host: bench.local' "http://127.0.0.1:${port[$name]}/api/bench")
    after=$(tree_ticks "${pid[$name]}")
    rps[$name]=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p99[$name]=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    local cpu
    cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    if grep -q 'Non-2xx' <<<"$out"; then echo "warning: $name: $(grep 'Non-2xx' <<<"$out")" >&2; fi
    echo "  round $2: $name ${rps[$name]} req/s, p99 ${p99[$name]} ms, proxy CPU $cpu us/request" >&2
    runs_rps[$name]+=" ${rps[$name]}"
    runs_p99[$name]+=" ${p99[$name]}"
    runs_cpu[$name]+=" $cpu"
}

settle() { # pid: wait (at most 10 s) until the process is idle, e.g. its event writer caught up
    local i a b
    for i in $(seq 1 50); do
        a=$(cpu_ticks "$1"); sleep 0.2; b=$(cpu_ticks "$1")
        ((b - a <= 1)) && return 0
    done
}

# --- backend and proxies -----------------------------------------------------------------
"$gwsim" whoami --listen "127.0.0.1:$whoami_port" --name bench >"$work/whoami.out" 2>&1 &
pids+=($!)

# Every proxy gets 2 threads: gwsim --threads 2, nginx worker_processes 2, haproxy nbthread 2.
proxy_threads=2

"$gwsim" proxy --threads "$proxy_threads" -f benchmarks/proxy-routes.yaml --backend "bench/whoami=127.0.0.1:$whoami_port" \
    --port-map "8000=$gwsim_port" >"$work/gwsim.out" 2>&1 &
pid[gwsim]=$!; pids+=($!)

mkdir -p "$work/nginx"
sed -e "s|@WHOAMI@|127.0.0.1:$whoami_port|g" -e "s|@PORT@|$nginx_port|g" -e "s|@PREFIX@|$work/nginx|g" \
    benchmarks/proxy-nginx.conf >"$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx.out" 2>&1 &
pid[nginx]=$!; pids+=($!)

sed -e "s|@WHOAMI@|127.0.0.1:$whoami_port|g" -e "s|@PORT@|$haproxy_port|g" benchmarks/proxy-haproxy.cfg >"$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.out" 2>&1 &
pid[haproxy]=$!; pids+=($!)

"$gwsim" proxy --threads "$proxy_threads" -f benchmarks/proxy-routes.yaml --backend "bench/whoami=127.0.0.1:$whoami_port" \
    --port-map "8000=$gwsim_log_port" --log "$work/events.db" >"$work/gwsim-log.out" 2>&1 &
gwsim_log_pid=$!; pid[gwsim+log]=$gwsim_log_pid; pids+=($gwsim_log_pid)

# The same gwsim with one event loop thread: on a machine where the load generator and
# the backend share the cores, a second event loop mostly adds context switches.
"$gwsim" proxy --threads 1 -f benchmarks/proxy-routes.yaml --backend "bench/whoami=127.0.0.1:$whoami_port" \
    --port-map "8000=$gwsim_one_port" >"$work/gwsim-1.out" 2>&1 &
pid[gwsim-1]=$!; pids+=($!)

for name in "${names[@]}"; do
    wait_ready "${port[$name]}"
    wrk -t1 -c64 -d3s -H 'Host: bench.local' "http://127.0.0.1:${port[$name]}/api/bench" >/dev/null
done

# --- rounds ----------------------------------------------------------------------------
vs_nginx=() p99_vs_nginx=() log_cost=() one_vs_nginx=() one_p99_vs_nginx=()
for round in $(seq 1 "$runs"); do
    for name in "${names[@]}"; do measure "$name" "$round"; done
    settle "$gwsim_log_pid"  # its writer's backlog must not run into the next round
    vs_nginx+=("$(ratio "${rps[gwsim]}" "${rps[nginx]}")")
    p99_vs_nginx+=("$(ratio "${p99[gwsim]}" "${p99[nginx]}")")
    log_cost+=("$(ratio "${rps[gwsim+log]}" "${rps[gwsim]}")")
    one_vs_nginx+=("$(ratio "${rps[gwsim-1]}" "${rps[nginx]}")")
    one_p99_vs_nginx+=("$(ratio "${p99[gwsim-1]}" "${p99[nginx]}")")
done
kill "$gwsim_log_pid" 2>/dev/null || true
wait "$gwsim_log_pid" 2>/dev/null || true
# Its exit summary: requests served, events recorded (a few resource events among them),
# and any dropped because the writer fell behind.
recorded=$(grep -E '^served [0-9]+ request' "$work/gwsim-log.out" | tail -1 || true)

# --- report ----------------------------------------------------------------------------
echo
echo "wrk -t1 -c64 -d$duration --latency, $runs rounds, $(nproc) CPUs, $(date -u +%Y-%m-%d)"
printf '| %-22s | %16s | %14s | %22s |\n' proxy "median requests/s" "median p99 (ms)" "proxy CPU (us/request)"
printf '|%s|%s|%s|%s|\n' "------------------------" "------------------" "----------------" "------------------------"
for name in "${names[@]}"; do
    label=$name
    [[ $name == gwsim ]] && label="gwsim proxy"
    [[ $name == gwsim+log ]] && label="gwsim proxy --log"
    [[ $name == gwsim-1 ]] && label="gwsim proxy, 1 thread"
    printf '| %-22s | %16s | %14s | %22s |\n' "$label" "$(tr ' ' '\n' <<<"${runs_rps[$name]}" | grep . | median)" \
        "$(tr ' ' '\n' <<<"${runs_p99[$name]}" | grep . | median)" "$(tr ' ' '\n' <<<"${runs_cpu[$name]}" | grep . | median)"
done
echo
echo "within-round ratios (median; per round in brackets):"
echo "  gwsim/nginx requests/s: $(printf '%s\n' "${vs_nginx[@]}" | median) [${vs_nginx[*]}]"
echo "  gwsim/nginx p99: $(printf '%s\n' "${p99_vs_nginx[@]}" | median) [${p99_vs_nginx[*]}]"
echo "  gwsim recording on/off requests/s: $(printf '%s\n' "${log_cost[@]}" | median) [${log_cost[*]}]"
echo "  gwsim 1 thread/nginx requests/s: $(printf '%s\n' "${one_vs_nginx[@]}" | median) [${one_vs_nginx[*]}]"
echo "  gwsim 1 thread/nginx p99: $(printf '%s\n' "${one_p99_vs_nginx[@]}" | median) [${one_p99_vs_nginx[*]}]"
[[ -n $recorded ]] && echo "gwsim --log: $recorded"
exit 0
