#!/usr/bin/env python3
"""memleak.ms under load (runtime test, ctest label `load`).

usage: load_test.py MEMSCRIPT SRC_DIR PROGRAMS_DIR

Runs `memleak.ms -c 'load_threads SECONDS 4'` (MS_LOAD_SECONDS, default 60):
4 threads malloc/free as fast as the probes let them and leak one block of
3333 bytes in every 1000 calls from leak_under_load(). Samples memscript's
RSS (/proc/PID/status VmRSS) every second. Checks, against the truth the
program prints at its end:
  - the final report's leak_under_load stack: exactly `leaks` blocks and
    `leak_bytes` bytes; or, if memscript says it lost allocations (a full
    map, lost events), that it says so (then the figures may fall short by
    at most what it says it lost);
  - the tracer's RSS stays bounded: after the first report, it grows by at
    most RSS_SLACK_MIB (reports copy the outstanding-allocation map, which
    holds at most a few thousand live blocks here: the churned blocks are
    freed at once).
Prints the figures (calls, rate, RSS min/max) and exits 0, or 1 with what
failed.
"""
import os
import re
import subprocess
import sys
import time

RSS_SLACK_MIB = 16


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    ms, src, progs = sys.argv[1:]
    seconds = float(os.environ.get("MS_LOAD_SECONDS", "60"))
    cmd = f"{os.path.join(progs, 'load_threads')} {seconds:g} 4"
    argv = [ms, os.path.join(src, "scripts/memleak.ms"), "-c", cmd]
    out_path = f"/tmp/load_test.{os.getpid()}.out"
    with open(out_path, "w+") as out:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        samples = []  # (seconds since start, RSS KiB, reports printed so far)
        while proc.poll() is None:
            kib = rss_kib(proc.pid)
            if kib is not None:
                out.flush()
                with open(out_path) as f:
                    reports = f.read().count("Top 10 stacks")
                samples.append((time.monotonic() - start, kib, reports))
            if time.monotonic() - start > seconds + 60:
                proc.kill()
                print("load_test: memscript did not end 60 s after the load")
                return 1
            time.sleep(1)
        out.seek(0)
        text = out.read()
    os.unlink(out_path)
    print(text, end="")
    failures = []
    if proc.returncode != 0:
        failures.append(f"memscript exited {proc.returncode}")
    truth = {}
    for m in re.finditer(r"truth: (.*)", text):
        for kv in m.group(1).split():
            k, _, v = kv.partition("=")
            truth[k] = v
    if "leaks" not in truth:
        print("load_test: FAILED: load_threads printed no truth")
        return 1
    leaks, leak_bytes = int(truth["leaks"]), int(truth["leak_bytes"])
    # The last report (at the command's exit); its leak_under_load stack.
    last = text[text.rfind("Top 10 stacks"):]
    m = re.search(r"^\t(\d+) bytes in (\d+) allocations from stack\n\t\t0x[0-9a-f]+\tleak_under_load\+", last, re.M)
    got_bytes, got_count = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    lost_lines = [l for l in text.splitlines() if re.search(r"lost|was full|were full|dropped", l)]
    if (got_bytes, got_count) != (leak_bytes, leaks):
        if not lost_lines:
            failures.append(f"leak_under_load: {got_count} blocks, {got_bytes} bytes in the report; "
                            f"truth {leaks} blocks, {leak_bytes} bytes; and no loss reported")
    after_first = [kib for t, kib, reports in samples if reports >= 1]
    rss = [kib for t, kib, _ in samples if t >= 1.0]  # not the moment between fork and exec
    if not after_first:
        failures.append("no RSS sample after the first report")
    else:
        growth = max(after_first) - after_first[0]
        if growth > RSS_SLACK_MIB * 1024:
            failures.append(f"tracer RSS grew by {growth} KiB after the first report (bound {RSS_SLACK_MIB} MiB): "
                            f"{after_first}")
    print(f"load_test: {truth['threads']} threads, {truth['seconds']} s: {truth['pairs']} malloc+free pairs "
          f"({truth['pairs_per_s']}/s, {int(truth['pairs_per_s']) * 2} probed calls/s), {leaks} blocks leaked; "
          f"report {got_count} blocks, {got_bytes} bytes; loss lines: {len(lost_lines)}")
    if rss:
        print(f"load_test: tracer RSS min {min(rss) // 1024} MiB, max {max(rss) // 1024} MiB over {len(rss)} samples "
              f"(after the first report: {min(after_first or [0]) // 1024}-{max(after_first or [0]) // 1024} MiB)")
    if failures:
        print("load_test: FAILED:")
        for f in failures:
            print("  " + f)
        return 1
    print("load_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
