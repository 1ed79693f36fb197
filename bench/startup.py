#!/usr/bin/env python3
"""Startup benchmark: time to attach a 10-probe script, and tracer peak RSS.

memscript and bpftrace run the same script, interleaved, N times each (this
machine is shared and noisy, so only ratios from one run mean anything).
Reported: median wall time of the whole run (script exits from a 100 ms
interval probe, so wall time = start-up + 100 ms + tear-down), memscript's own
"probes attached N ms after exec" figure (--timings), and peak RSS of each
tracer (wait4 rusage).

usage: bench/startup.py [MEMSCRIPT] [REPS] [--update-doc=docs/benchmarks.md]
"""
import os
import re
import statistics
import subprocess
import sys
import time

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
FUNCS = ["malloc", "free", "calloc", "realloc", "posix_memalign", "aligned_alloc", "valloc", "mmap", "munmap"]
SCRIPT = " ".join(f"uprobe:{LIBC}:{f} {{ @[\"{f}\"] = count(); }}" for f in FUNCS) + " interval:ms:100 { exit(); }"


def run(argv):
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, rusage = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    out = p.stdout.read() + p.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed:\n{out}")
    return wall, rusage.ru_maxrss, out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--update-doc=")]
    doc = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--update-doc=")]
    ms = args[0] if args else "build/memscript"
    reps = int(args[1]) if len(args) > 1 else 7
    have_bpftrace = subprocess.run(["which", "bpftrace"], stdout=subprocess.DEVNULL).returncode == 0
    rows = {"memscript": [], "bpftrace": []}
    attached = []
    for _ in range(reps):
        wall, rss, out = run([ms, "--timings", "-e", SCRIPT])
        m = re.search(r"probes attached (\d+) ms after exec", out)
        attached.append(int(m.group(1)) if m else float("nan"))
        rows["memscript"].append((wall, rss))
        if have_bpftrace:
            rows["bpftrace"].append(run(["bpftrace", "-e", SCRIPT])[:2])

    def med(xs):
        return statistics.median(xs)

    lines = [f"10-probe script (9 libc uprobes + interval), {reps} interleaved runs, medians [min-max].", "",
             "| tracer | wall time, ms | peak RSS, MiB | time to attached, ms |", "|---|---|---|---|"]
    for name, vals in rows.items():
        if not vals:
            continue
        walls = [w * 1000 for w, _ in vals]
        rss = [r / 1024 for _, r in vals]
        att = f"{med(attached):.0f} [{min(attached)}-{max(attached)}]" if name == "memscript" else "n/a"
        lines.append(f"| {name} | {med(walls):.0f} [{min(walls):.0f}-{max(walls):.0f}] | {med(rss):.1f} | {att} |")
    if rows["bpftrace"]:
        ratio = med([w for w, _ in rows["memscript"]]) / med([w for w, _ in rows["bpftrace"]])
        lines.append(f"\nmemscript / bpftrace wall-time ratio: {ratio:.2f}")
    text = "\n".join(lines) + "\n"
    print(text)
    if doc:
        from bench_doc import replace_section
        replace_section(doc[0], "startup", text)


if __name__ == "__main__":
    main()
