#!/usr/bin/env python3
"""memscript killed at random moments (runtime test, ctest label `fault`).

usage: kill_random.py MEMSCRIPT SRC_DIR PROGRAMS_DIR

Starts tests/programs/ticker (a long-running target that prints `tick N`),
then, ITERATIONS times (MS_FAULT_ITERATIONS, default 15; bounded to
MS_FAULT_BUDGET seconds, default 60), runs memscript on it with -p, either
scripts/memleak.ms (reports every second) or a small script with uprobe,
uretprobe, tracepoint, interval and END probes, and sends SIGINT, SIGTERM or
SIGKILL after a random delay (0 to 2.5 s: compiling, loading, attaching,
tracing and printing reports). Each block of six runs has every (script,
signal) pair once, in random order; the seed is printed (MS_FAULT_SEED repeats a run).

After every run:
  - memscript exited 0 with its exit output (END ran: memleak's report, or the
    small script's `end of trace` line and maps) for INT and TERM, and was
    killed by the signal for KILL;
  - every BPF program, link and map memscript held (read from its
    /proc/PID/fdinfo while it ran) is gone from the kernel (`bpftool prog|link|map -j`);
  - /sys/kernel/tracing/uprobe_events and dynamic_events hold no entry that
    names memscript's pid (libbpf's tracefs uprobes are libbpf_<pid>_...);
  - the target's code is the file's again: every byte of its executable
    mappings of libc and of its own binary, read through /proc/PID/mem,
    equals the file's (a breakpoint left behind is an int3 byte there; the
    page the kernel wrote it into may stay an anonymous copy after the
    original byte is restored, so smaps' Anonymous count is not the test).
    The target runs on a private copy of libc, so system-wide uprobes of other
    tracers on this machine cannot be mistaken for ours;
  - the target is alive and still printing ticks.
Prints `kill_random: all N runs clean (...)` and exits 0, or says what was
left behind and exits 1.
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
SETTLE = 5.0  # seconds the kernel gets to release what a dead process held


def fdinfo_ids(pid):
    """The BPF prog/link/map ids that process PID holds open."""
    ids = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fdinfo")
    except OSError:
        return ids
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                text = f.read()
        except OSError:
            continue
        for kind in ("prog_id", "link_id", "map_id"):
            m = re.search(rf"^{kind}:\s*(\d+)$", text, re.M)
            if m:
                ids.add((kind.split("_")[0], int(m.group(1))))
    return ids


def kernel_ids():
    ids = set()
    for kind in ("prog", "link", "map"):
        out = subprocess.run(["bpftool", kind, "-j"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True).stdout
        for obj in json.loads(out or "[]"):
            ids.add((kind, obj["id"]))
    return ids


def tracefs_entries_of(pid):
    found = []
    for name in ("uprobe_events", "dynamic_events"):
        try:
            with open(f"/sys/kernel/tracing/{name}") as f:
                found += [l.strip() for l in f if f"_{pid}_" in l]
        except OSError:
            pass
    return found


def breakpoint_bytes(pid, files):
    """Bytes of PID's executable mappings of FILES that differ from the file."""
    differing = {}
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            parts = line.split(None, 5)
            if len(parts) < 6 or "x" not in parts[1]:
                continue
            path = parts[5].strip()
            if not any(path.endswith(x) for x in files):
                continue
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            offset = int(parts[2], 16)
            with open(path, "rb") as f:
                f.seek(offset)
                want = f.read(hi - lo)
            mem.seek(lo)
            have = mem.read(len(want))
            n = sum(1 for a, b in zip(have, want) if a != b)
            if n:
                differing[path] = differing.get(path, 0) + n
    return differing


class Target:
    """tests/programs/ticker, its output read by a thread."""

    def __init__(self, progs, libdir):
        # Its own copy of libc (another inode): uprobes that other tracers on
        # this machine put system-wide into libc never show in its pages.
        shutil.copy2(LIBC, libdir)
        env = dict(os.environ, LD_LIBRARY_PATH=libdir)
        self.proc = subprocess.Popen([os.path.join(progs, "ticker"), "600"], stdout=subprocess.PIPE, text=True, env=env)
        first = self.proc.stdout.readline()
        if not first.startswith("truth: pid="):
            raise SystemExit(f"kill_random: ticker printed {first!r}")
        self.ticks = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith("tick "):
                self.ticks = int(line.split()[1])

    def still_ticking(self, wait=2.0):
        before = self.ticks
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if self.ticks > before:
                return True
            time.sleep(0.02)
        return False


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    ms, src, progs = sys.argv[1:]
    iterations = int(os.environ.get("MS_FAULT_ITERATIONS", "15"))
    budget = float(os.environ.get("MS_FAULT_BUDGET", "60"))
    seed = int(os.environ.get("MS_FAULT_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    print(f"kill_random: seed {seed} (MS_FAULT_SEED={seed} repeats this run)")
    libdir = tempfile.mkdtemp(prefix="kill_random.")
    target = Target(progs, libdir)
    tpid = target.proc.pid
    ticker = os.path.join(progs, "ticker")
    small = (f"uprobe:{ticker}:tick_work {{ @calls = count(); }} "
             f"uretprobe:{ticker}:tick_work {{ @returns = count(); }} "
             f"tracepoint:syscalls:sys_enter_nanosleep /pid == {tpid}/ {{ @sleeps = count(); }} "
             f"interval:ms:250 {{ printf(\"calls so far %d\\n\", @calls); }} "
             f"END {{ printf(\"end of trace\\n\"); }}")
    scripts = [
        ("memleak", [ms, os.path.join(src, "scripts/memleak.ms"), "-p", str(tpid), "1"],
         r"Top 10 stacks with outstanding allocations"),
        ("small", [ms, "-p", str(tpid), "-e", small], r"^end of trace$"),
    ]
    # Every (script, signal) pair once in each block of six runs, in random order.
    plan = []
    while len(plan) < iterations:
        block = [(s, sig) for s in scripts for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)]
        rng.shuffle(block)
        plan += block
    failures = []
    counts = {}
    start = time.monotonic()
    runs = 0
    try:
        if not target.still_ticking():
            raise SystemExit("kill_random: ticker is not ticking")
        for i in range(iterations):
            if time.monotonic() - start > budget:
                print(f"kill_random: time budget of {budget:.0f}s spent after {runs} runs")
                break
            (name, argv, exit_output), sig = plan[i]
            delay = rng.uniform(0.0, 2.5)
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            held = set()
            t_end = time.monotonic() + delay
            while time.monotonic() < t_end and proc.poll() is None:
                held |= fdinfo_ids(proc.pid)
                time.sleep(0.01)
            held |= fdinfo_ids(proc.pid)
            if proc.poll() is not None:
                failures.append(f"run {i} ({name}): memscript ended before the signal: {proc.stdout.read()}")
                continue
            proc.send_signal(sig)
            try:
                out, _ = proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
                failures.append(f"run {i} ({name}, SIG{sig.name[3:]} after {delay:.2f}s): no exit within 15 s")
                continue
            runs += 1
            counts[sig.name] = counts.get(sig.name, 0) + 1
            what = f"run {i} ({name}, {sig.name} after {delay:.2f}s, {len(held)} BPF objects held)"
            attached = "Attaching to pid" in out or "calls so far" in out
            print(f"kill_random: {what}: exit {proc.returncode}, {'attached' if attached else 'before attach'}")
            if sig == signal.SIGKILL:
                if proc.returncode != -signal.SIGKILL:
                    failures.append(f"{what}: exit {proc.returncode}, expected death by SIGKILL")
            else:
                if proc.returncode != 0:
                    failures.append(f"{what}: exit {proc.returncode}, expected 0:\n{out}")
                elif not any(re.search(exit_output, l) for l in out.splitlines()):
                    failures.append(f"{what}: no exit output matching {exit_output!r}:\n{out}")
            # What the kernel still holds: poll, it releases a dead process's files asynchronously.
            deadline = time.monotonic() + SETTLE
            while True:
                left = held & kernel_ids()
                events = tracefs_entries_of(proc.pid)
                pages = breakpoint_bytes(tpid, ["/libc.so.6", "/ticker"])
                if not left and not events and not pages:
                    break
                if time.monotonic() > deadline:
                    if left:
                        failures.append(f"{what}: still in the kernel {SETTLE:.0f}s after exit: {sorted(left)}")
                    if events:
                        failures.append(f"{what}: tracefs entries left: {events}")
                    if pages:
                        failures.append(f"{what}: breakpoints still written in the target: {pages} bytes differ from the file")
                    break
                time.sleep(0.05)
            if not target.still_ticking():
                failures.append(f"{what}: the target stopped ticking (exit status {target.proc.poll()})")
                break
    finally:
        target.proc.kill()
        target.proc.wait()
        shutil.rmtree(libdir, ignore_errors=True)
    elapsed = time.monotonic() - start
    if failures:
        print("kill_random: FAILED:")
        for f in failures:
            print("  " + f)
        return 1
    summary = ", ".join(f"{n} {k[3:]}" for k, n in sorted(counts.items()))
    print(f"kill_random: all {runs} runs clean ({summary}; {elapsed:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
