"""Benchmark of building and reading event envelopes (``osac_shared.contracts``) with one shared
marshmallow schema instance per schema class against the uncached baseline, in the same run.

    .venv/bin/python benchmarks/contracts_bench.py [--events 200] [--rounds 15]

Three workloads, each ``--events`` envelopes per round:

  make_event sla.breached    what a firing SLA tick does per alarm (``sla.domain.alarm_event``)
  make_event case.submitted  what a department does per case action (``sla.testkit.case_event``)
  read_event case.submitted  what a consumer (the SLA, the hall) does per event it receives

The baseline is the code before the cache: ``contracts.schema_instance`` swapped for
``lambda cls: cls()`` (a fresh schema per call, as ``Envelope()`` / ``schema()`` were). Rounds
alternate baseline and cached; the median of each is reported. Both must build the same
envelopes (checked, event ids aside). In-process only: no database, no broker.

Writes the section between ``<!-- contracts-bench -->`` and ``<!-- /contracts-bench -->`` in
docs/benchmarks.md (replaced if present, else appended; the rest of the file is kept).
"""
import argparse
import os
import platform as host
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import datetime

from osac_shared import contracts
from osac_shared.clock import TZ
from osac_shared.testing import REPO

from sla import domain
from sla.testkit import case_event

from sections import write_section

NAME = "contracts-bench"
MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
FRI = datetime(2026, 3, 6, 10, 0, tzinfo=TZ)


@contextmanager
def uncached():
    """The baseline: a new schema instance for every validation, as before the cache."""
    cached = contracts.schema_instance
    contracts.schema_instance = lambda schema_cls: schema_cls()
    try:
        yield
    finally:
        contracts.schema_instance = cached


def workloads(n):
    data = {"item_code": "logistics.complaint", "window": 11, "department": "logistics",
            "student_id": "2026000009", "limit": {"value": 3, "unit": "working_days"},
            "post": "A", "kind": "report", "submitted_at": MON.isoformat()}
    overdue = domain.recompute(domain.new_state("logistics-20260302-00000001", data))
    breach = domain.Alarm(domain.BREACH, 1)
    received = [case_event("case.submitted", f"logistics-20260302-{i:08d}", MON, MON)
                for i in range(n)]
    return {
        "make_event sla.breached": lambda: [domain.alarm_event(overdue, breach, FRI)
                                            for _ in range(n)],
        "make_event case.submitted": lambda: [
            case_event("case.submitted", f"logistics-20260302-{i:08d}", MON, MON)
            for i in range(n)],
        "read_event case.submitted": lambda: [contracts.read_event(dict(e)) for e in received],
    }


def without_ids(envelopes):
    return [{k: v for k, v in e.items() if k != "event_id"} for e in envelopes]


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def measure(n, rounds):
    rows = []
    for name, fn in workloads(n).items():
        with uncached():
            expected = without_ids(fn())                    # warm-up, and the reference
        if without_ids(fn()) != expected:
            raise AssertionError(f"{name}: the cached schemas build other envelopes")
        base, cached = [], []
        for _ in range(rounds):
            with uncached():
                base.append(timed(fn)[0])
            cached.append(timed(fn)[0])
        rows.append((name, statistics.median(base) * 1000, statistics.median(cached) * 1000))
    return rows


def section(rows, n, rounds, seconds):
    lines = [
        f"<!-- {NAME} -->", "## Event contracts (schema instances cached)", "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on {host.node()} ({os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at the end) "
        f"by `benchmarks/contracts_bench.py --events {n} --rounds {rounds}` in "
        f"{seconds:.0f} s; in-process, no I/O. Each row: {n} envelopes, median of {rounds} "
        "rounds; the baseline is the same calls with a fresh marshmallow schema per "
        "validation (the code before the cache), alternated with the cached rounds.", "",
        f"| what ({n} envelopes) | baseline: fresh schemas, ms | cached schemas, ms | "
        "cached / baseline | per envelope, µs (cached) |",
        "|---|---|---|---|---|",
    ]
    for name, base_ms, cached_ms in rows:
        lines.append(f"| `{name}` | {base_ms:.1f} | {cached_ms:.1f} | "
                     f"{cached_ms / base_ms:.2f} | {cached_ms * 1000 / n:.0f} |")
    breach = next(r for r in rows if r[0] == "make_event sla.breached")
    lines += [
        "", f"Reading: building a marshmallow schema deep-copies its fields, which cost more "
        f"than validating one event. The {n} alarm envelopes of a firing SLA tick (the "
        "`contracts.make_event` row of the SLA section) take "
        f"{breach[2] / breach[1]:.2f}x the baseline time with one schema instance per schema "
        "class (`contracts.schema_instance`).",
        f"<!-- /{NAME} -->"]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "benchmarks.md"))
    args = parser.parse_args()
    started = time.perf_counter()
    rows = measure(args.events, args.rounds)
    for name, base_ms, cached_ms in rows:
        print(f"{name:28s} baseline {base_ms:7.1f} ms  cached {cached_ms:7.1f} ms  "
              f"ratio {cached_ms / base_ms:.2f}")
    write_section(args.out, NAME, section(rows, args.events, args.rounds,
                                          time.perf_counter() - started))
    print(f"wrote the contracts section of {args.out}")


if __name__ == "__main__":
    main()
