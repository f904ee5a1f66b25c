#!/usr/bin/env python3
"""Instructions per unit of work from two callgrind runs of the same program that did
different amounts of it (the *-instructions.sh benchmarks): the difference of the two
profiles, function by function, divided by the difference in units, so that start-up
and shutdown cancel out. Prints the total and the costliest functions, demangled.

    callgrind-per-request.py SMALL.callgrind LARGE.callgrind UNITS LABEL [TOP]
"""
import re
import subprocess
import sys


def costs(path):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", path], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in line:
            name = re.sub(r"\s*\[.*\]$", "", m.group(2)).replace("???:", "")
            table[name] = table.get(name, 0) + int(m.group(1).replace(",", ""))
    return table


small, large, units, label = costs(sys.argv[1]), costs(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
top = int(sys.argv[5]) if len(sys.argv) > 5 else 25
per = {k: (large.get(k, 0) - small.get(k, 0)) / units for k in set(small) | set(large)}
total = sum(per.values())
print(f"instructions per {label}: {total:.0f}")
rows = sorted(per.items(), key=lambda kv: -kv[1])[:top]
names = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(n for n, _ in rows),
                       capture_output=True, text=True).stdout.splitlines()
for (name, cost), readable in zip(rows, names if len(names) == len(rows) else [n for n, _ in rows]):
    print(f"{cost:8.0f} {100 * cost / total:5.1f}%  {readable[:140]}")
