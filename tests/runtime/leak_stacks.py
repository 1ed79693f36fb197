#!/usr/bin/env python3
"""Summarises a memleak.ms report for tests: passes every line through, then
prints one line per reported stack, named by its innermost frame in the
traced program (not in an allocator library):

    stack leak_malloc bytes=10000 count=10

so a test compares each function's figures with the program's own truth.
An optional second argument, a regex, picks the innermost program frame whose
function matches it (to skip the program's own helpers, such as a wrapper
around mmap).
Only the last report is summarised. Frames are BCC's
"0x...\tFUNC+0xOFF [MODULE]"; the program is the module given as argv[1].
"""
import re
import sys

program = sys.argv[1]
want = re.compile(sys.argv[2]) if len(sys.argv) > 2 else None
stacks, cur = [], None
for line in sys.stdin:
    sys.stdout.write(line)
    if re.match(r"^\[\d\d:\d\d:\d\d\] Top \d+ stacks", line):
        stacks, cur = [], None
        continue
    # --growth adds " (+G bytes in K intervals)".
    m = re.match(r"^\t(\d+) bytes in (\d+) allocations from stack( \(\+\d+ bytes in \d+ intervals\))?$", line.rstrip("\n"))
    if m:
        cur = {"bytes": m.group(1), "count": m.group(2), "fn": None}
        stacks.append(cur)
        continue
    m = re.match(r"^\t\t0x[0-9a-f]+\t(\S+?)\+0x[0-9a-f]+ \[(.+)\]$", line.rstrip("\n"))
    if m and cur is not None and cur["fn"] is None and m.group(2) == program and (not want or want.fullmatch(m.group(1))):
        cur["fn"] = m.group(1)
for s in stacks:
    print(f"stack {s['fn']} bytes={s['bytes']} count={s['count']}")
