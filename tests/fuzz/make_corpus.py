#!/usr/bin/env python3
"""Seeds the fuzz corpus with every program in the repository: the -e
one-liners of tests/runtime/*.test and every scripts/**/*.ms file.

usage: make_corpus.py SOURCE_DIR CORPUS_DIR
"""
import hashlib
import os
import pathlib
import re
import sys

src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
programs = []
for test in sorted((src / "tests/runtime").glob("*.test")):
    programs += re.findall(r"-e '([^']*)'", test.read_text())
for script in sorted(src.glob("scripts/**/*.ms")):
    programs.append(script.read_text())
for p in programs:
    (out / hashlib.sha1(p.encode()).hexdigest()).write_text(p)
print(f"{len(programs)} seed programs in {out}")
