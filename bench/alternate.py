#!/usr/bin/env python3
"""Runs two commands alternately under `perf stat` and prints the median
task-clock (CPU time, in ms) of each and their ratio, B over A.

    python3 bench/alternate.py N CMD_A... -- CMD_B...

A and B take turns (A first on even rounds, B first on odd ones), so a
change in the machine's load touches both alike. Exit codes 0, 1 and 2
(findings, or findings past the CLI's cap) are accepted. Needs `perf`
(Debian: linux-perf); task-clock works without hardware counters.
"""

import statistics
import subprocess
import sys


def task_clock(cmd):
    p = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock", *cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode not in (0, 1, 2):
        sys.exit(f"{cmd} failed ({p.returncode}):\n{p.stderr[-500:]}")
    for line in p.stderr.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2] == "task-clock":
            return float(fields[0])
    sys.exit(f"{cmd}: no task-clock in perf's output:\n{p.stderr[-500:]}")


def main():
    n = int(sys.argv[1])
    rest = sys.argv[2:]
    cut = rest.index("--")
    a, b = rest[:cut], rest[cut + 1:]
    ta, tb = [], []
    for k in range(n):
        turns = [(a, ta), (b, tb)] if k % 2 == 0 else [(b, tb), (a, ta)]
        for cmd, times in turns:
            times.append(task_clock(cmd))
    ma, mb = statistics.median(ta), statistics.median(tb)
    print(f"task-clock ms A {ma:.1f} B {mb:.1f} ratio {mb / ma:.3f} "
          f"(min A {min(ta):.1f} B {min(tb):.1f}, {n} runs each)")


if __name__ == "__main__":
    main()
