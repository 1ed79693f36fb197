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


def split_doc_arg(argv):
    """(the other arguments, the file of --update-doc=FILE or --update-doc FILE, or None)."""
    args, doc, i = [], None, 0
    while i < len(argv):
        if argv[i].startswith("--update-doc="):
            doc = argv[i].split("=", 1)[1]
        elif argv[i] == "--update-doc" and i + 1 < len(argv):
            doc = argv[i + 1]
            i += 1
        else:
            args.append(argv[i])
        i += 1
    return args, doc


def publish(doc, name, text):
    """Prints a section and, with a document, rewrites it there."""
    print(text)
    if doc:
        replace_section(doc, name, text)
