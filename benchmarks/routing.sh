#!/usr/bin/env bash
# Routing-core benchmark (issue: compile 10,000 HTTPRoutes / 50,000 rules, route 1M requests).
# Reports compile time, decisions per second on one core (median of runs) and peak memory,
# then the same with a working set that stays cached, and on 10-route tables, to show how the
# cost per decision depends on the table size.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps
scripts/build-release >&2
gwsim=.build/release/gwsim
echo "== 10,000 HTTPRoutes x 5 rules over 1,000 hostnames, 1,000,000 requests"
taskset -c 0 "$gwsim" bench routing --routes 10000 --rules-per-route 5 --hostnames 1000 --requests 1000000 --repeat 3
# The same table with 256 distinct requests: the part of the table they read stays in the
# cache, so what is left of the difference to the small table below is where the data lives,
# not the work (benchmarks/routing-instructions.sh counts that work: the same at every size).
echo "== the same 10,000 HTTPRoutes, 256 distinct requests (their part of the table stays cached)"
taskset -c 0 "$gwsim" bench routing --routes 10000 --rules-per-route 5 --hostnames 1000 --requests 1000000 --distinct 256 --repeat 3
# The same five rule kinds (Exact, PathPrefix with a method, with a header, ...) on a small
# table: what is left of the difference is the table's size.
echo "== 10 HTTPRoutes x 5 rules over 10 hostnames, 1,000,000 requests (same rule and request mix)"
taskset -c 0 "$gwsim" bench routing --routes 10 --rules-per-route 5 --hostnames 10 --requests 1000000 --repeat 3
# One Exact rule per route: the cheapest decision (earlier passes' second table).
echo "== 10 HTTPRoutes x 1 rule, 1 hostname, 1,000,000 requests (Exact paths only)"
taskset -c 0 "$gwsim" bench routing --routes 10 --rules-per-route 1 --hostnames 1 --requests 1000000 --repeat 3
