#!/usr/bin/env python3
"""Allocation-tracing overhead, side by side in one interleaved run.

Every workload in bench/workloads prints its own time per malloc+free pair
("bench: ... ns_per_op=N", loop time only, so tracer start-up and reporting are
excluded) and its known leaks ("truth: leaks=N ..."). Each configuration runs
every workload, interleaved, REPS times; the table shows medians [min-max] and
the overhead per pair over the untraced median.

usage: bench/alloc_overhead.py BUILD_DIR [REPS] [--update-doc docs/benchmarks.md]
       [--workloads churn1,churn4] [--skip valgrind,placement]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
HERE = os.path.dirname(os.path.abspath(__file__))

# The empty-probe floor: the three hooks memleak needs at minimum, doing nothing.
FLOOR = (f"uprobe:{LIBC}:malloc {{ }} uretprobe:{LIBC}:malloc {{ }} uprobe:{LIBC}:free {{ }}")


def configs(build):
    ms = os.path.join(build, "memscript")
    out = [
        ("untraced", lambda cmd: cmd),
        ("memscript empty probes (floor)", lambda cmd: [ms, "-c", " ".join(cmd), "-e", FLOOR]),
        ("memscript empty probes, --no-probe-placement",
         lambda cmd: [ms, "--no-probe-placement", "-c", " ".join(cmd), "-e", FLOOR]),
    ]
    memleak = os.path.join(HERE, "..", "scripts", "memleak.ms")
    out += [
        ("memleak.ms", lambda cmd: [ms, memleak, "-c", " ".join(cmd)]),
        ("memleak.ms --combined-only", lambda cmd: [ms, memleak, "--combined-only", "-c", " ".join(cmd)]),
        ("memleak.ms -s 100", lambda cmd: [ms, memleak, "-s", "100", "-c", " ".join(cmd)]),
        ("memleak.ms --sample-bytes 64K", lambda cmd: [ms, memleak, "--sample-bytes", "64K", "-c", " ".join(cmd)]),
    ]
    if shutil.which("bpftrace"):
        out.append(("bpftrace memleak-like script",
                    lambda cmd: ["bpftrace", "-c", " ".join(cmd), os.path.join(HERE, "bpftrace_memleak.bt")]))
    if shutil.which("heaptrack"):
        tmp = tempfile.mkdtemp(prefix="ms-heaptrack-")
        out.append(("heaptrack", lambda cmd: ["heaptrack", "-o", os.path.join(tmp, "ht")] + cmd))
    if shutil.which("valgrind"):
        out.append(("valgrind memcheck", lambda cmd: ["valgrind", "-q", "--leak-check=full"] + cmd))
    return out


def workloads(build):
    w = os.path.join(build, "bench", "workloads")
    return [
        ("churn1", [os.path.join(w, "bench_churn"), "100000", "1"]),
        ("churn4", [os.path.join(w, "bench_churn"), "25000", "4"]),
        ("cppnew", [os.path.join(w, "bench_cppnew"), "100000"]),
        ("hashtable", [os.path.join(w, "bench_hashtable"), "50000"]),
    ]


def run(argv):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    m = re.search(r"ns_per_op=([0-9.]+)", r.stdout)
    if not m:
        raise RuntimeError(f"no ns_per_op from {' '.join(argv)}:\n{r.stdout[-2000:]}")
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("reps", nargs="?", type=int, default=5)
    ap.add_argument("--update-doc", help="rewrite the alloc_overhead section of this markdown file")
    ap.add_argument("--workloads", help="comma-separated workload names to run (default: all)")
    ap.add_argument("--skip", help="comma-separated substrings: leave out configurations whose name has one")
    args = ap.parse_args()
    cfgs, wls = configs(args.build), workloads(args.build)
    if args.workloads:
        wls = [w for w in wls if w[0] in args.workloads.split(",")]
    if args.skip:
        cfgs = [c for c in cfgs if c[0] == "untraced" or not any(x in c[0] for x in args.skip.split(","))]
    results = {(c, w): [] for c, _ in cfgs for w, _ in wls}
    for rep in range(args.reps):
        for wname, cmd in wls:
            for cname, wrap in cfgs:
                results[(cname, wname)].append(run(wrap(cmd)))
        print(f"rep {rep + 1}/{args.reps} done", file=sys.stderr)
    lines = [f"Per malloc+free pair, medians of {args.reps} interleaved runs [min-max]; "
             "overhead = median minus the untraced median.", ""]
    lines.append("| configuration | " + " | ".join(f"{w} ns/pair | {w} overhead µs" for w, _ in wls) + " |")
    lines.append("|---|" + "---|---|" * len(wls))
    base = {w: statistics.median(results[("untraced", w)]) for w, _ in wls}
    for cname, _ in cfgs:
        cells = []
        for wname, _ in wls:
            v = results[(cname, wname)]
            med = statistics.median(v)
            cells.append(f"{med:.0f} [{min(v):.0f}-{max(v):.0f}]")
            cells.append("—" if cname == "untraced" else f"{(med - base[wname]) / 1000:.1f}")
        lines.append(f"| {cname} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.update_doc:
        from bench_doc import replace_section
        replace_section(args.update_doc, "alloc_overhead", text)


if __name__ == "__main__":
    main()
