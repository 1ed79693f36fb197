#!/usr/bin/env python3
"""memleak.ms start-up, report time and tracer memory at scale.

Runs `memscript --timings scripts/memleak.ms -o 0 -c 'leak_many N'` REPS times
and reports, as medians [min-max]: time from exec to every probe attached,
the time to build the final leak report of N outstanding allocations, and
memscript's peak RSS. It also checks that the report holds all N blocks
(the program prints its own truth). Timings are never asserted in tests.

usage: bench/memleak_scale.py BUILD_DIR [REPS] [N] [--update-doc docs/benchmarks.md]
"""
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_doc import publish, split_doc_arg  # noqa: E402


def main():
    args, doc = split_doc_arg(sys.argv[1:])
    build = args[0] if args else "build"
    reps = int(args[1]) if len(args) > 1 else 3
    n = int(args[2]) if len(args) > 2 else 1000000
    ms = os.path.join(build, "memscript")
    prog = os.path.join(build, "tests", "programs", "leak_many")
    script = os.path.join(HERE, "..", "scripts", "memleak.ms")
    attached, report, rss, exact = [], [], [], []
    for _ in range(reps):
        r = subprocess.run([ms, "--timings", script, "-o", "0", "-c", f"{prog} {n}"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=600)
        out = r.stdout
        a = re.search(r"probes attached (\d+) ms after exec", out)
        t = re.findall(r"leak report \(\d+ bytes of text\) in (\d+) ms", out)
        m = re.search(r"peak RSS (\d+) KiB", out)
        if not (a and t and m):
            raise SystemExit(f"memleak.ms run without --timings figures:\n{out[-3000:]}")
        attached.append(int(a.group(1)))
        report.append(int(t[-1]))
        rss.append(int(m.group(1)) / 1024)
        truth = re.search(r"total_leaked_count=(\d+)", out)
        counts = [int(c) for c in re.findall(r"bytes in (\d+) allocations from stack", out[out.rfind("stacks with"):])]
        exact.append(truth is not None and sum(counts) >= int(truth.group(1)))

    def cell(xs, fmt="{:.0f}"):
        return f"{fmt.format(statistics.median(xs))} [{fmt.format(min(xs))}-{fmt.format(max(xs))}]"

    lines = [f"`memleak.ms -o 0 -c 'leak_many {n}'`: {n:,} outstanding allocations from 4 stacks, "
             f"{reps} runs, medians [min-max].", "",
             "| figure | value | target |", "|---|---|---|",
             f"| time from exec to every probe attached, ms | {cell(attached)} | < 100 |",
             f"| final report of {n:,} outstanding allocations, ms | {cell(report)} | < 1000 |",
             f"| memscript peak RSS, MiB | {cell(rss, '{:.0f}')} | < 60 |",
             f"| every allocation in the report | {'yes' if all(exact) else 'NO'} | yes |"]
    publish(doc, "memleak_scale", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
