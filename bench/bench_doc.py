"""Rewrites one marked section of docs/benchmarks.md:
<!-- BEGIN name --> ... <!-- END name -->"""
import re


def replace_section(path, name, text):
    with open(path) as f:
        doc = f.read()
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in doc:
        doc = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, doc, flags=re.S)
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(doc)
