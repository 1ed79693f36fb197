#!/usr/bin/env python3
"""Data-driven runtime tests: real BPF in the real kernel.

A .test file holds cases separated by blank lines. Each case is lines of
`KEY value` (a line starting with '#' is a comment):

  NAME         unique name of the case (ctest runs `harness.py FILE NAME`)
  RUN          shell command to run; its stdout+stderr are checked
  BEFORE       a command started first in the background (a target program);
               the harness waits for its first line and {{before_pid}} becomes
               its pid. It is killed after the case.
  BEFORE_READY a regex: read BEFORE's output up to the first line that matches it
               (instead of only its first line); truth from all those lines.
  SIGNAL       `SIG SECONDS`: send SIG (INT, TERM, KILL) to RUN after SECONDS
  EXPECT       a line that must appear exactly in the output
  EXPECT_REGEX a regex that must match some line (re.search)
  NOT_EXPECT_REGEX  a regex that must match no line
  EXPECT_EXIT  expected exit code of RUN (default 0)
  CHECK_AFTER  a shell command that must exit 0 after RUN has finished
  TIMEOUT      seconds before RUN is killed and the case fails (default 20)
  COMPARE_BPFTRACE  `exact`, `sorted`, `json` or `json sorted`: also run RUN with {{ms}} replaced by
               bpftrace (the reference implementation) and require the same
               output, line for line (`exact`) or as sorted lines (`sorted`, for
               output whose order neither tool defines, such as a -c target's
               own lines racing the tracer's; `json` for -f json: every
               memscript line must parse as JSON, and blank lines, which
               bpftrace 0.17 prints before the maps at exit, and the
               attached_probes line are dropped). Before comparing, both outputs
               drop the `Attaching N probes...` line (memscript prints it on
               stderr), memscript's cost report and bpftrace's RLIMIT_MEMLOCK warning; bpftrace's stderr
               (its warnings) is not compared. Where bpftrace 0.17
               is wrong, a case leaves this key out, says why in a comment and
               checks the truth with EXPECT instead.

Substitutions in RUN/BEFORE/EXPECT*/CHECK_AFTER: {{ms}} memscript binary,
{{progs}} directory of tests/programs binaries, {{libc}} the libc path,
{{before_pid}}, {{src}} source dir, and {{truth.KEY}}: values that the target
programs print on `truth: KEY=VALUE ...` lines, so expectations come from the
program's own ground truth, not from a copy of our output.

Exit 77 (skip) when not privileged, unless MEMSCRIPT_REQUIRE_BPF=1, where a
missing capability is a failure.
"""
import difflib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

SKIP = 77
MULTI = {"EXPECT", "EXPECT_REGEX", "NOT_EXPECT_REGEX", "CHECK_AFTER"}


def parse_cases(path):
    cases, cur = [], {}
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip():
                if cur:
                    cases.append(cur)
                    cur = {}
                continue
            if line.lstrip().startswith("#"):
                continue
            key, _, value = line.partition(" ")
            if key in MULTI:
                cur.setdefault(key, []).append(value)
            else:
                if key in cur:
                    raise SystemExit(f"{path}: duplicate {key} in case {cur.get('NAME')}")
                cur[key] = value
    if cur:
        cases.append(cur)
    return cases


def have_bpf_privilege():
    # CAP_BPF (39) and CAP_PERFMON (38), or CAP_SYS_ADMIN (21), in CapEff.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                eff = int(line.split()[1], 16)
                return bool(eff & (1 << 21)) or (bool(eff & (1 << 39)) and bool(eff & (1 << 38)))
    return False


def truth_of(text):
    truth = {}
    for line in text.splitlines():
        m = re.search(r"truth:\s*(.*)$", line)
        if m:
            for kv in m.group(1).split():
                k, _, v = kv.partition("=")
                truth[k] = v
    return truth


def substitute(s, env):
    def rep(m):
        key = m.group(1)
        if key not in env:
            raise KeyError(f"unknown substitution {{{{{key}}}}}")
        return env[key]
    return re.sub(r"\{\{([a-zA-Z_.0-9]+)\}\}", rep, s)


def run_case(case, env):
    timeout = float(case.get("TIMEOUT", "20"))
    before = None
    try:
        if "BEFORE" in case:
            before = subprocess.Popen(shlex.split(substitute(case["BEFORE"], env)), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)
            first = before.stdout.readline()
            if "BEFORE_READY" in case:
                ready = re.compile(case["BEFORE_READY"])
                line = first
                while line and not ready.search(line):
                    line = before.stdout.readline()
                    first += line
                if not line:
                    return [f"BEFORE exited before a line matching {case['BEFORE_READY']!r}"], first
            env["before_pid"] = str(before.pid)
            env.update({"truth." + k: v for k, v in truth_of(first).items()})
        # exec: the shell must not stay between the harness and memscript, or signals hit the shell.
        cmd = "exec " + substitute(case["RUN"], env)
        proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        if "SIGNAL" in case:
            sig, delay = case["SIGNAL"].split()
            time.sleep(float(delay))
            # The shell runs memscript as its only command: signal the process group's leader's child.
            os.killpg(proc.pid, getattr(signal, "SIG" + sig))
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            return [f"timed out after {timeout}s"], out
        env.update({"truth." + k: v for k, v in truth_of(out).items()})
        failures = []
        want_exit = int(case.get("EXPECT_EXIT", "0"))
        if proc.returncode != want_exit:
            failures.append(f"exit code {proc.returncode}, expected {want_exit}")
        lines = out.splitlines()
        for e in case.get("EXPECT", []):
            try:
                e = substitute(e, env)
            except KeyError as err:
                failures.append(f"EXPECT {e!r}: {err} (the program did not print that truth)")
                continue
            if e not in lines:
                failures.append(f"missing line: {e!r}")
        for e in case.get("EXPECT_REGEX", []):
            e = substitute(e, env)
            if not any(re.search(e, l) for l in lines):
                failures.append(f"no line matches: {e!r}")
        for e in case.get("NOT_EXPECT_REGEX", []):
            e = substitute(e, env)
            bad = [l for l in lines if re.search(e, l)]
            if bad:
                failures.append(f"line matches forbidden {e!r}: {bad[0]!r}")
        if "COMPARE_BPFTRACE" in case:
            failures += compare_with_bpftrace(case, env, out, timeout)
        for c in case.get("CHECK_AFTER", []):
            c = substitute(c, env)
            r = subprocess.run(c, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                failures.append(f"CHECK_AFTER failed: {c!r}: {r.stdout.strip()}")
        return failures, out
    finally:
        if before is not None and before.poll() is None:
            before.kill()
            before.wait()


BPFTRACE = os.environ.get("MS_BPFTRACE", "/usr/bin/bpftrace")
# memscript's cost report (stderr, at exit) has no bpftrace counterpart.
NOISE = [re.compile(r"^Attaching \d+ probes?\.\.\.$"), re.compile(r"RLIMIT_MEMLOCK"),
         re.compile(r"^memscript: cost "), re.compile(r"^memscript:   \d+ hits?, ")]


def comparable(text, modes):
    lines = [l for l in text.splitlines() if not any(n.search(l) for n in NOISE)]
    if "json" in modes:
        lines = [l for l in lines if l.strip() and '"type": "attached_probes"' not in l]
    if "sorted" in modes:
        lines = sorted(lines)
    return lines


def compare_with_bpftrace(case, env, ms_out, timeout):
    modes = set(case["COMPARE_BPFTRACE"].split()) or {"exact"}
    if not modes <= {"exact", "sorted", "json"}:
        return [f"COMPARE_BPFTRACE takes exact, sorted and/or json, not {case['COMPARE_BPFTRACE']!r}"]
    if not os.access(BPFTRACE, os.X_OK):
        return [f"COMPARE_BPFTRACE: {BPFTRACE} is not installed"]
    if "json" in modes:
        for l in comparable(ms_out, modes):
            if l.startswith("truth:"):
                continue  # a -c target's own line
            try:
                json.loads(l)
            except ValueError as err:
                return [f"not a JSON line: {l!r}: {err}"]
    cmd = "exec " + substitute(case["RUN"], dict(env, ms=BPFTRACE))
    # bpftrace's stderr holds only its warnings (e.g. on signed division), which memscript does not give.
    proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        bt_out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        bt_out, _ = proc.communicate()
        return [f"bpftrace timed out after {timeout}s"]
    want, got = comparable(bt_out, modes), comparable(ms_out, modes)
    if want == got:
        return []
    diff = "\n".join(difflib.unified_diff(want, got, "bpftrace", "memscript", lineterm=""))
    return [f"output differs from bpftrace ({' '.join(sorted(modes))}):\n{diff}"]


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: harness.py FILE.test NAME")
    path, name = sys.argv[1], sys.argv[2]
    cases = [c for c in parse_cases(path) if c.get("NAME") == name]
    if len(cases) != 1:
        raise SystemExit(f"{path}: expected one case named {name}, found {len(cases)}")
    case = cases[0]
    if not have_bpf_privilege():
        if os.environ.get("MEMSCRIPT_REQUIRE_BPF") == "1":
            print("FAIL: MEMSCRIPT_REQUIRE_BPF=1 but this process lacks CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN)")
            return 1
        print("SKIP: needs CAP_BPF and CAP_PERFMON (run as root)")
        return SKIP
    env = {
        "ms": os.environ["MS_BINARY"],
        "progs": os.environ["MS_PROGRAMS"],
        "src": os.environ["MS_SOURCE_DIR"],
        "libc": "/lib/x86_64-linux-gnu/libc.so.6",
    }
    failures, out = run_case(case, env)
    print(f"--- {name}: command: {substitute(case['RUN'], env)}")
    print("--- output:")
    print(out, end="" if out.endswith("\n") else "\n")
    if failures:
        print("--- FAILED:")
        for f in failures:
            print("  " + f)
        return 1
    print("--- passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
