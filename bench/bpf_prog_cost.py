#!/usr/bin/env python3
"""BPF run time per probe hit, as the kernel measures it.

Runs a workload under a tracer with the kernel's BPF statistics on
(kernel.bpf_stats_enabled=1), and reads each program's run_cnt and
run_time_ns with bpftool while the workload runs. This is the time spent in
the BPF programs themselves, not the trap of the uprobe (see
alloc_overhead.py for the whole cost per pair), and it moves far less with the
machine's load than wall-clock figures.

usage: bench/bpf_prog_cost.py BUILD_DIR [--update-doc docs/benchmarks.md]
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_doc import publish, split_doc_arg  # noqa: E402
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"


def owned_prog_ids(pid):
    """The ids of the BPF programs process `pid` holds (its fds' fdinfo): other
    tracers on the machine may hook the same functions with the same names."""
    ids = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) != "anon_inode:bpf-prog":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            continue
    return ids


def sample(argv, settle=4.0):
    subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=1"], check=True)
    try:
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(settle)
        progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout)
        mine = owned_prog_ids(p.pid)
        progs = [prog for prog in progs if prog.get("id") in mine]
        p.terminate()
        p.wait(timeout=60)
    finally:
        subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=0"])
    subprocess.run(["pkill", "-f", "bench_churn 3000000"])
    rows = []  # (name, hits, ns per hit); bpftrace gives entry and return probes one name
    for prog in progs:
        cnt = prog.get("run_cnt", 0)
        if cnt > 1000:
            rows.append((prog.get("name", "?"), cnt, prog["run_time_ns"] / cnt))
    return rows


def pick(rows, config, label):
    """The program of `label` (malloc entry / malloc return / free entry)."""
    func = label.split()[0]
    if config.startswith("memleak"):
        # memleak.ms's first probes are malloc's entry (p0) and return (p1),
        # or one uprobe session p0 that runs at both (two hits per call).
        session = not any(r[0] == "p1_malloc" for r in rows)
        if session and label == "malloc return":
            return None
        want = {"malloc entry": "p0_malloc", "malloc return": "p1_malloc"}.get(label)
        cand = [r for r in rows if (r[0] == want if want else r[0].endswith("_" + func))]
    else:
        cand = sorted((r for r in rows if r[0] == func), key=lambda r: r[2])
        if func == "malloc" and len(cand) == 2:
            cand = [cand[1]] if label == "malloc return" else [cand[0]]  # the return probe does more
    return max(cand, key=lambda r: r[1]) if cand else None


def main():
    args, doc = split_doc_arg(sys.argv[1:])
    build = args[0] if args else "build"
    ms = os.path.join(build, "memscript")
    churn = f"{os.path.join(build, 'bench', 'workloads', 'bench_churn')} 3000000 1"
    configs = [
        ("memleak.ms", [ms, os.path.join(HERE, "..", "scripts", "memleak.ms"), "-c", churn]),
        ("bpftrace memleak-like script", ["bpftrace", "-c", churn, os.path.join(HERE, "bpftrace_memleak.bt")]),
    ]
    labels = ["malloc entry", "malloc return", "free entry"]
    lines = ["BPF run time per hit on churn1 (kernel.bpf_stats_enabled), ns; the probes' trap cost is not included.",
             "", "| program | " + " | ".join(c for c, _ in configs) + " |", "|---|" + "---|" * len(configs)]
    results = {c: sample(argv, settle=6.0) for c, argv in configs}
    for label in labels:
        cells = []
        for c, _ in configs:
            r = pick(results[c], c, label)
            session = c.startswith("memleak") and label == "malloc entry" and pick(results[c], c, "malloc return") is None
            cells.append(("—" if not r else f"{r[2]:.0f} (session: entry and return, per run)" if session else f"{r[2]:.0f}"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    publish(doc, "bpf_prog_cost", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
