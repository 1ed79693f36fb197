#!/usr/bin/env python3
"""Summarises a memleak.ms report by whole call chain, for tests of stacks
through code without frame pointers: passes every line through, then prints
one line per stack of the last report,

    chain dw_fourth;dw_third_a;dw_second;dw_first;work;main bytes=5000 count=5

the function names innermost first, from the first frame up to and including
`main` (the C runtime's frames below it are left out; a stack that never
reaches main prints all of its frames, so a truncated chain cannot match).
Reads the text report (BCC's "\\t\\t0x...\\tFUNC+0xOFF [MODULE]" frames) and
the -f json report ({"type":"leak_stack",...} lines).
"""
import json
import re
import sys

stacks, cur = [], None


def name(frame):
    if "\t" in frame:
        frame = frame.split("\t", 1)[1]
    return re.sub(r"\+0x[0-9a-f]+ \[.*\]$", "", frame)


for line in sys.stdin:
    sys.stdout.write(line)
    text = line.rstrip("\n")
    if re.match(r"^\[\d\d:\d\d:\d\d\] Top \d+ stacks", text):
        stacks, cur = [], None
        continue
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            continue
        if obj.get("type") == "leak_report":
            last, stacks = stacks, []
        elif obj.get("type") == "leak_stack":
            stacks.append({"bytes": obj["bytes"], "count": obj["allocations"], "frames": [name(f) for f in obj["frames"]]})
        continue
    m = re.match(r"^\t(\d+) bytes in (\d+) allocations from stack$", text)
    if m:
        cur = {"bytes": m.group(1), "count": m.group(2), "frames": []}
        stacks.append(cur)
        continue
    m = re.match(r"^\t\t(0x[0-9a-f]+\t.*)$", text)
    if m and cur is not None:
        cur["frames"].append(name(m.group(1)))

if not stacks and "last" in globals():
    stacks = last
for s in stacks:
    frames = s["frames"]
    if "main" in frames:
        frames = frames[: frames.index("main") + 1]
    print(f"chain {';'.join(frames)} bytes={s['bytes']} count={s['count']}")
