"""Turn the fault tests' figures (test-artifacts/reliability/*.json, one per test, written by
the tests themselves) into the markdown table of docs/reliability.md.

    python tests/fault/report.py            # rewrite the table between the markers in the doc
    python tests/fault/report.py --print    # print the table only
"""
import glob
import json
import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIGURES = os.path.join(REPO, "test-artifacts", "reliability")
DOC = os.path.join(REPO, "docs", "reliability.md")
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"
COLUMNS = (("test", "test"), ("fault", "fault"), ("what", "counted"),
           ("attempted", "attempted"), ("accepted", "accepted"), ("lost", "lost"),
           ("duplicated", "duplicated"), ("recovery_s", "recovery (s)"))
SKIP = {"at"}


def load(folder=FIGURES):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path) as f:
            rows.append(json.load(f))
    return rows


def cell(value):
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "—" if value is None else str(value)


def table(rows):
    keys = [k for k, _ in COLUMNS]
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " | other figures |",
             "|" + "---|" * (len(COLUMNS) + 1)]
    for row in rows:
        other = "; ".join(f"{k} = {cell(v)}" for k, v in row.items()
                          if k not in keys and k not in SKIP)
        lines.append("| " + " | ".join(cell(row.get(k)).replace("|", "/") for k in keys)
                     + f" | {other.replace('|', '/')} |")
    dates = sorted(r["at"] for r in rows if r.get("at"))
    when = f"{dates[0]} – {dates[-1]}" if dates else "never"
    return "\n".join(lines) + f"\n\nRun: {when}; {len(rows)} tests. Lost and duplicated " \
                              "must be 0.\n"


def main(argv):
    rows = load()
    text = table(rows)
    if "--print" in argv:
        print(text)
        return 0
    with open(DOC) as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        print(f"{DOC} has no {BEGIN} ... {END} markers", file=sys.stderr)
        return 1
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(DOC, "w") as f:
        f.write(f"{head}{BEGIN}\n{text}{END}{tail}")
    print(f"{DOC}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
