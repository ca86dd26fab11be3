"""The sections benchmarks keep in docs/benchmarks.md: each between ``<!-- name -->`` and
``<!-- /name -->``, rewritten only by its own benchmark; the rest of the file is kept."""
import os
import re

MARKED = re.compile(r"<!-- ([a-z0-9-]+) -->.*?<!-- /\1 -->", re.S)


def marked_sections(path):
    """Every marked section of ``path``, in order, one after the other ("" if none)."""
    try:
        text = open(path).read()
    except FileNotFoundError:
        return ""
    return "".join(m.group(0) + "\n" for m in MARKED.finditer(text))


def write_section(path, name, text):
    """Replace the ``name`` section of ``path`` with ``text`` (markers included), or append it."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    old = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + text.rstrip("\n") + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(new)
