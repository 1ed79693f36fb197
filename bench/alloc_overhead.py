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
        # The kernel's frame-pointer walk (bpf_get_stack) instead of memscript's BPF-side one.
        ("memleak.ms, kernel stack walk",
         lambda cmd: ["env", "MEMSCRIPT_STACK_WALK=kernel", ms, memleak, "-c", " ".join(cmd)]),
        ("memleak.ms --combined-only", lambda cmd: [ms, memleak, "--combined-only", "-c", " ".join(cmd)]),
        # The same script run inside the command (docs/in-process.md): no trap per call.
        ("memleak.ms --in-process", lambda cmd: [ms, memleak, "--in-process", "-c", " ".join(cmd)]),
        ("memleak.ms -s 100", lambda cmd: [ms, memleak, "-s", "100", "-c", " ".join(cmd)]),
        # Unsampled calls still take their return trap without uprobe sessions.
        ("memleak.ms -s 100, no uprobe sessions",
         lambda cmd: ["env", "MEMSCRIPT_UPROBE_SESSION=0", ms, memleak, "-s", "100", "-c", " ".join(cmd)]),
        ("memleak.ms --sample-bytes 64K", lambda cmd: [ms, memleak, "--sample-bytes", "64K", "-c", " ".join(cmd)]),
        # CFI unwinding: an 8 KiB stack copy per recorded allocation, unwound in user space.
        ("memleak.ms --stack-mode dwarf", lambda cmd: [ms, memleak, "--stack-mode", "dwarf", "-c", " ".join(cmd)]),
        ("memleak.ms --stack-mode dwarf -s 100",
         lambda cmd: [ms, memleak, "--stack-mode", "dwarf", "-s", "100", "-c", " ".join(cmd)]),
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


DROPPED = {}  # " ".join(argv) -> ustack(dwarf) snapshots the ring buffer had no room for


def run(argv):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    m = re.search(r"ns_per_op=([0-9.]+)", r.stdout)
    if not m:
        raise RuntimeError(f"no ns_per_op from {' '.join(argv)}:\n{r.stdout[-2000:]}")
    d = re.search(r"memscript: (\d+) stacks? could not be recorded \(the ring buffer had no room", r.stdout)
    if d:
        DROPPED[" ".join(argv)] = DROPPED.get(" ".join(argv), 0) + int(d.group(1))
    return float(m.group(1)), r.stdout


# The function each workload leaks from (churn's leak_some; the others leak
# through C++ constructors or several sites, left unchecked here).
LEAK_FUNCTION = {"churn1": "leak_some", "churn4": "leak_some"}


def truth(out):
    m = re.search(r"truth: leaks=(\d+) leaked_bytes=(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def found_leaks(cname, out, func):
    """(count, bytes) of outstanding blocks allocated from `func` that the
    tracer reported, or None when this tracer's output is not checked."""
    if cname.startswith("memleak.ms"):
        # The last report: "\tB bytes in N allocations from stack" + frames.
        last = out.rfind("stacks with outstanding allocations")
        if last < 0:
            return (0, 0)
        count = nbytes = 0
        for block in re.split(r"\n\t(?=\d+ bytes in)", out[last:])[1:]:
            m = re.match(r"(\d+) bytes in (\d+) allocations from stack", block)
            if m and re.search(r"\b" + func + r"\+", block):
                nbytes += int(m.group(1))
                count += int(m.group(2))
        return (count, nbytes)
    if cname.startswith("bpftrace"):
        sizes = {k: int(v) for k, v in re.findall(r"^@size\[(\d+)\]: (\d+)$", out, re.M)}
        stacks = dict(re.findall(r"^@stack\[(\d+)\]:[ \t]*\n((?:[ \t]+\S.*\n)+)", out, re.M))
        keys = [k for k, st in stacks.items() if re.search(r"\b" + func + r"\+", st)]
        if not keys and stacks and all(re.fullmatch(r"([ \t]+0x[0-9a-f]+\n)+", st) for st in stacks.values()):
            # bpftrace 0.17 prints raw addresses once the -c target has exited.
            return ("unsymbolised", len(sizes), sum(sizes.values()))
        return (len(keys), sum(sizes.get(k, 0) for k in keys))
    if cname.startswith("valgrind"):
        # -q prints the loss records only: "B bytes in N blocks are definitely lost ..." and the stack.
        count = nbytes = 0
        for b, n, st in re.findall(r"([\d,]+) bytes in ([\d,]+) blocks are definitely lost in loss record.*\n"
                                   r"((?:==\d+==\s+(?:at|by) .*\n)+)", out):
            if re.search(r"\b" + func + r"\b", st):
                nbytes += int(b.replace(",", ""))
                count += int(n.replace(",", ""))
        return (count, nbytes)
    return None


def leak_cell(cname, found, want):
    if found is None or want is None:
        return "not checked"
    if found[0] == "unsymbolised":
        return f"stacks printed as raw addresses (bpftrace 0.17 after the target exits); {found[1]} blocks, {found[2]} B outstanding in all"
    sampled = "-s " in cname or "sample-bytes" in cname
    if found == want:
        return f"{found[0]} blocks, {found[1]} B (exact)"
    return f"{found[0]} blocks, {found[1]} B ({'estimate; ' if sampled else ''}truth {want[0]}, {want[1]} B)"


def svg_plot(path, cfgs, wls, overhead):
    """Horizontal bars: overhead per pair (µs) per configuration, one colour per workload."""
    colours = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759"]
    names = [c for c, _ in cfgs if c != "untraced"]
    top = max([overhead[(c, w)] for c in names for w, _ in wls] + [1.0])
    bar, gap, left, width = 12, 10, 330, 420
    height = len(names) * (bar * len(wls) + gap) + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
           'font-family="sans-serif" font-size="12">',
           f'<text x="10" y="18" font-weight="bold">Overhead per malloc+free pair, µs (median)</text>']
    y = 34
    for c in names:
        out.append(f'<text x="{left - 8}" y="{y + bar * len(wls) / 2 + 4:.0f}" text-anchor="end">{c}</text>')
        for i, (w, _) in enumerate(wls):
            v = overhead[(c, w)]
            wpx = max(v, 0) / top * width
            out.append(f'<rect x="{left}" y="{y}" width="{wpx:.1f}" height="{bar - 2}" fill="{colours[i % 4]}"/>')
            out.append(f'<text x="{left + wpx + 4:.1f}" y="{y + bar - 3}">{v:.1f}</text>')
            y += bar
        y += gap
    for i, (w, _) in enumerate(wls):
        out.append(f'<rect x="{left + i * 90}" y="{y + 4}" width="10" height="10" fill="{colours[i % 4]}"/>'
                   f'<text x="{left + i * 90 + 14}" y="{y + 13}">{w}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


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
    leaks = {}  # (config, workload) -> (found, truth) from the first run
    for rep in range(args.reps):
        for wname, cmd in wls:
            for cname, wrap in cfgs:
                ns, out = run(wrap(cmd))
                results[(cname, wname)].append(ns)
                if rep == 0 and wname in LEAK_FUNCTION:
                    leaks[(cname, wname)] = (found_leaks(cname, out, LEAK_FUNCTION[wname]), truth(out))
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
    overhead = {(c, w): (statistics.median(results[(c, w)]) - base[w]) / 1000 for c, _ in cfgs for w, _ in wls}
    names = [c for c, _ in cfgs]

    def ratio(a, b, w):
        return f"{overhead[(a, w)] / overhead[(b, w)]:.2f}" if a in names and b in names and overhead[(b, w)] > 0 else "n/a"

    lines += ["", "Ratios of overhead per pair (the targets: memleak.ms ≤ 0.5 × bpftrace; `-s 100` ≤ 1.2 × the floor):", ""]
    lines.append("| ratio | " + " | ".join(w for w, _ in wls) + " |")
    lines.append("|---|" + "---|" * len(wls))
    for a, b in [("memleak.ms", "bpftrace memleak-like script"), ("memleak.ms", "heaptrack"),
                 ("memleak.ms -s 100", "memscript empty probes (floor)"),
                 ("memleak.ms --sample-bytes 64K", "memscript empty probes (floor)")]:
        lines.append(f"| {a} / {b} | " + " | ".join(ratio(a, b, w) for w, _ in wls) + " |")
    checked = [w for w, _ in wls if w in LEAK_FUNCTION]
    if checked:
        lines += ["", "Leaks each tracer reported from the workload's leaking function (first run), against the "
                  "workload's own truth:", ""]
        lines.append("| configuration | " + " | ".join(checked) + " |")
        lines.append("|---|" + "---|" * len(checked))
        for cname in names:
            if cname == "untraced" or "empty probes" in cname:
                continue
            lines.append(f"| {cname} | " + " | ".join(leak_cell(cname, *leaks[(cname, w)]) for w in checked) + " |")
    if args.update_doc:
        svg = os.path.join(os.path.dirname(os.path.abspath(args.update_doc)), "benchmarks-overhead.svg")
        svg_plot(svg, cfgs, wls, overhead)
        lines += ["", f"![overhead per pair]({os.path.basename(svg)})"]
    dropped = [(c, w) for c, wrap in cfgs for w, cmd in wls if DROPPED.get(" ".join(wrap(cmd)))]
    if dropped:
        lines.append("")
        lines.append("ustack(dwarf) snapshots dropped (ring buffer full), summed over the runs: " +
                     ", ".join(f"{c} on {w}: {DROPPED[' '.join(dict(cfgs)[c](dict(wls)[w]))]}" for c, w in dropped))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.update_doc:
        from bench_doc import replace_section
        replace_section(args.update_doc, "alloc_overhead", text)


if __name__ == "__main__":
    main()
