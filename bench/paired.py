"""Paired runs: two or more shell commands, run alternately, their median wall and CPU time.

    .venv/bin/python bench/paired.py [--runs 10] [--env NAME=VALUE ...] CMD_A CMD_B [CMD_C ...]

This machine's speed drifts by up to twice within minutes, so a change is measured by
running the code before and after it turn about, not one after the other: run i goes A, B, C
and run i + 1 goes C, B, A. Every command runs in a shell, from the current folder, with the
environment given by --env added to this one, its output thrown away. CPU time is the
child's user + system time (os.wait4), so it covers what its own processes did, not the
machine's other load. For an older version of newsdesk next to this one, unpack its `src`
into a folder and put it first on PYTHONPATH in that command, for example:

    git archive HEAD~1 src | tar -x -C /tmp/before
    .venv/bin/python bench/paired.py --env NEWSDESK_HOME=/tmp/home \\
        "PYTHONPATH=/tmp/before/src .venv/bin/newsdesk update --all" \\
        ".venv/bin/newsdesk update --all"

Run by hand; never from the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time


def run_once(command: str, env: dict[str, str]) -> tuple[float, float, int]:
    started = time.perf_counter()
    child = subprocess.Popen(command, shell=True, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, status


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("commands", nargs="+", metavar="CMD")
    args = parser.parse_args()
    env = dict(os.environ)
    for pair in args.env:
        name, _, value = pair.partition("=")
        env[name] = value
    walls: dict[str, list[float]] = {c: [] for c in args.commands}
    cpus: dict[str, list[float]] = {c: [] for c in args.commands}
    for i in range(args.runs):
        for command in args.commands if i % 2 == 0 else args.commands[::-1]:
            wall, cpu, status = run_once(command, env)
            if status:
                raise SystemExit(f"bench: exit status {status} from {command}")
            walls[command].append(wall)
            cpus[command].append(cpu)
    print(f"median wall s  min wall s  median cpu s  command ({args.runs} runs each)")
    for command in args.commands:
        wall, cpu = statistics.median(walls[command]), statistics.median(cpus[command])
        print(f"{wall:13.3f} {min(walls[command]):11.3f} {cpu:13.3f}  {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
