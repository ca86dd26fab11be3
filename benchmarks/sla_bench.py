"""Benchmark of the SLA service, each figure next to a baseline measured in the same run.

    .venv/bin/python benchmarks/sla_bench.py [--events 1500] [--deadlines 100000]

1. Ingestion: a fresh platform (the SLA service alone, as ``nameko run``, on a fresh RabbitMQ
   vhost and PostgreSQL database); N ``case.submitted`` events are published as a department
   publishes them, timed until every deadline row (completion + acceptance) is stored.
   Baselines: the same rows as bare INSERTs into a fresh copy of the table, one transaction
   per event (the floor for "one commit per event"), and as one bulk INSERT.
2. One timer tick (``sla.engine.tick``, exactly what the service's timer runs) with 100,000
   open deadlines in PostgreSQL: a tick with nothing due, and a tick that fires 200 breaches.
   Time and SQL statements (counted with a SQLAlchemy ``before_cursor_execute`` listener; an
   executemany counts once). Baselines: a bare SELECT of the due rows, and that SELECT plus
   one UPDATE of them in one transaction.

Writes the section between ``<!-- sla-bench -->`` and ``<!-- /sla-bench -->`` in
docs/benchmarks.md (replaced if present, else appended; the rest of the file is kept).
Everything stays on 127.0.0.1; every wait is bounded; the run takes about a minute or two.
"""
import argparse
import os
import platform as host
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import event, insert, select, text, update
from sqlalchemy.orm import sessionmaker

from osac_shared.clock import TZ
from osac_shared.db import make_engine
from osac_shared.migrations import upgrade
from osac_shared.outbox import add_event
from osac_shared.testing import REPO, Platform, drop_database, fresh_database

from sla import domain, engine, store
from sla.models import Deadline
from sla.testkit import case_event, publish, wait_for
from sections import write_section

MON = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)       # nothing falls due while events arrive
FRI = datetime(2026, 3, 6, 10, 0, tzinfo=TZ)       # the tick's "now"
START, END = "<!-- sla-bench -->", "<!-- /sla-bench -->"
REPEAT = 5


# ---- helpers -----------------------------------------------------------------------------
class QueryCounter:
    """Counts SQL statements sent on an engine while ``counting`` is on."""

    def __init__(self, engine_):
        self.n, self.on = 0, False
        event.listen(engine_, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        if self.on:
            self.n += 1

    @contextmanager
    def counting(self):
        self.n, self.on = 0, True
        try:
            yield self
        finally:
            self.on = False


@contextmanager
def scratch_database(tag):
    name = f"osac_slabench_{tag}_{uuid.uuid4().hex[:6]}"
    url = fresh_database(name)
    upgrade("sla", url)
    eng = make_engine(url)
    try:
        yield eng
    finally:
        eng.dispose()
        drop_database(name)


def columns_of(row):
    return {c.name: getattr(row, c.key) for c in Deadline.__table__.columns}


# ---- 1. ingestion ------------------------------------------------------------------------
def bench_ingestion(n_events):
    clock = os.path.join(tempfile.mkdtemp(prefix="slabench"), "now")
    with open(clock, "w") as f:
        f.write(MON.isoformat())
    with Platform(["sla"], tag="slabench" + uuid.uuid4().hex[:4], clock_file=clock) as plat:
        sla_engine = make_engine(plat.db_url("sla"))

        def stored():
            with sla_engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM deadlines")).scalar()

        events = [case_event("case.submitted", f"logistics-20260302-{i:08d}", MON, MON)
                  for i in range(n_events)]
        started = time.perf_counter()
        publish(plat.amqp_uri, *events)
        published = time.perf_counter() - started
        wait_for(lambda: stored() == 2 * n_events, timeout=150, interval=0.05)
        elapsed = time.perf_counter() - started
        with sessionmaker(bind=sla_engine)() as session:
            rows = [columns_of(r) for r in session.scalars(select(Deadline)).all()]
        sla_engine.dispose()
    by_case = {}
    for r in rows:
        by_case.setdefault(r["case_id"], []).append(r)
    with scratch_database("insert") as eng:
        t0 = time.perf_counter()
        with eng.connect() as conn:
            for pair in by_case.values():           # one transaction per event, as consumed
                with conn.begin():
                    for r in pair:
                        conn.execute(insert(Deadline.__table__), r)
        per_event = time.perf_counter() - t0
    with scratch_database("bulk") as eng:
        t0 = time.perf_counter()
        with eng.begin() as conn:
            conn.execute(insert(Deadline.__table__), rows)
        bulk = time.perf_counter() - t0
    return {"events": n_events, "rows": len(rows), "published_s": published,
            "service_s": elapsed, "per_event_s": per_event, "bulk_s": bulk}


# ---- 2. one tick over 100,000 open deadlines ---------------------------------------------
def template_states():
    """(a deadline far from due, a deadline already overdue), both open."""
    data = {"item_code": "logistics.complaint", "window": 11, "department": "logistics",
            "student_id": "2026000009", "limit": {"value": 3, "unit": "working_days"},
            "post": "A", "kind": "report", "submitted_at": MON.isoformat()}
    overdue = domain.recompute(domain.new_state("x", data))                 # due Thu 17:30
    later = domain.recompute(domain.new_state("x", {**data, "submitted_at": (
        MON + timedelta(days=14)).isoformat()}))
    return later, overdue


def fill(eng, later, n):
    """``n`` open deadlines whose alarms are weeks away, generated inside PostgreSQL."""
    row = store.save(None, Deadline(), later)        # a value holder, never added
    values = {k: v for k, v in columns_of(row).items()
              if k not in ("case_id", "alarm_at", "submitted_at", "marks")}
    cols = ", ".join(f'"{k}"' for k in values)
    params = ", ".join(f":{k}" for k in values)
    with eng.begin() as conn:
        conn.execute(text(
            f'INSERT INTO deadlines (case_id, submitted_at, alarm_at, marks, {cols}) '
            f"SELECT 'bench-' || g, :submitted + g * interval '7 second', "
            f":alarm + g * interval '7 second', '[]', {params} "
            f"FROM generate_series(1, :n) AS g"),
            {**values, "submitted": later.submitted_at, "alarm": later.alarm_at, "n": n})
        conn.execute(text("ANALYZE deadlines"))


def add_due(Session, overdue, k, batch_id):
    with Session() as session:
        for i in range(k):
            store.save(session, None, replace(overdue, case_id=f"due-{batch_id}-{i}"))
        session.commit()


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def bench_tick(n_deadlines, due):
    later, overdue = template_states()
    rules = domain.DEFAULT_RULES
    due_query = (select(Deadline.case_id, Deadline.timer)
                 .where(Deadline.alarm_at.is_not(None), Deadline.alarm_at <= FRI)
                 .order_by(Deadline.alarm_at).limit(200))
    out = {"deadlines": n_deadlines, "due": due}
    with scratch_database("tick") as eng:
        fill(eng, later, n_deadlines)
        counter = QueryCounter(eng)
        Session = sessionmaker(bind=eng, expire_on_commit=False)

        def run_tick():
            with Session() as session:
                return engine.tick(session, FRI, rules, add_event)

        def bare_select():
            with eng.connect() as conn:
                return len(conn.execute(due_query).all())

        def select_and_update():
            with eng.begin() as conn:
                keys = conn.execute(due_query).all()
                conn.execute(update(Deadline).where(
                    Deadline.case_id.in_([k[0] for k in keys]))
                    .values(breached_at=FRI, alarm_at=None))
                return len(keys)

        samples = {"idle tick": [], "bare SELECT of due rows": [],
                   "tick firing breaches": [], "bare SELECT + one UPDATE": []}
        queries, fired = {}, {}
        run_tick()                                           # warm the pool and the cache
        for rep in range(REPEAT):
            for name, fn in (("idle tick", run_tick), ("bare SELECT of due rows", bare_select)):
                with counter.counting():
                    seconds, result = timed(fn)
                samples[name].append(seconds)
                queries[name], fired[name] = counter.n, result
            add_due(Session, overdue, due, f"t{rep}")
            with counter.counting():
                seconds, result = timed(run_tick)
            samples["tick firing breaches"].append(seconds)
            queries["tick firing breaches"], fired["tick firing breaches"] = counter.n, result
            add_due(Session, overdue, due, f"u{rep}")
            with counter.counting():
                seconds, result = timed(select_and_update)
            samples["bare SELECT + one UPDATE"].append(seconds)
            queries["bare SELECT + one UPDATE"] = counter.n
            fired["bare SELECT + one UPDATE"] = result
        with eng.connect() as conn:
            out["outbox_rows"] = conn.execute(text("SELECT count(*) FROM outbox")).scalar()
    envelopes = []
    for _ in range(REPEAT):                 # the part of a firing tick spent on contracts
        seconds, _ = timed(lambda: [domain.alarm_event(overdue, domain.Alarm("breached", 1), FRI)
                                    for _ in range(due)])
        envelopes.append(seconds)
    out["envelopes_ms"] = statistics.median(envelopes) * 1000
    out["rows"] = [(name, statistics.median(s) * 1000, queries[name], fired[name])
                   for name, s in samples.items()]
    return out


# ---- report ------------------------------------------------------------------------------
def section(ingest, tick, seconds):
    svc_rate = ingest["events"] / ingest["service_s"]
    per_event_rate = ingest["events"] / ingest["per_event_s"]
    bulk_rate = ingest["events"] / ingest["bulk_s"]
    rows = {name: (ms, q, n) for name, ms, q, n in tick["rows"]}
    lines = [
        START, "## SLA service", "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on {host.node()} ({os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at the end) "
        f"by `benchmarks/sla_bench.py` in {seconds:.0f} s; PostgreSQL and RabbitMQ on "
        "loopback. Compare each figure with the baseline beside it, not across machines.", "",
        f"**Ingestion** — {ingest['events']} `case.submitted` events published to a fresh "
        f"platform (one SLA process, 10 workers); each becomes 2 deadline rows "
        f"(completion + acceptance): {ingest['rows']} rows stored.", "",
        "| what | seconds | events/s | vs bare INSERT per event |",
        "|---|---|---|---|",
        f"| SLA service: publish → every row stored | {ingest['service_s']:.2f} | "
        f"{svc_rate:.0f} | {svc_rate / per_event_rate:.2f} |",
        f"| (of which publishing alone) | {ingest['published_s']:.2f} | "
        f"{ingest['events'] / ingest['published_s']:.0f} | |",
        f"| baseline: bare INSERT, one transaction per event, one connection | "
        f"{ingest['per_event_s']:.2f} | {per_event_rate:.0f} | 1.00 |",
        f"| baseline: one bulk INSERT of all rows | {ingest['bulk_s']:.2f} | "
        f"{bulk_rate:.0f} | {bulk_rate / per_event_rate:.2f} |", "",
        f"**One timer tick** (`sla.engine.tick`, what the timer runs every `SLA_TICK`) with "
        f"{tick['deadlines']:,} open deadlines in PostgreSQL; median of {REPEAT} runs; "
        f"statements counted with a SQLAlchemy listener (an executemany counts once).", "",
        "| what | ms | SQL statements | rows handled | vs its baseline |",
        "|---|---|---|---|---|",
    ]
    pairs = (("idle tick", "bare SELECT of due rows"),
             ("tick firing breaches", "bare SELECT + one UPDATE"))
    for name, base in pairs:
        ms, q, n = rows[name]
        bms, bq, bn = rows[base]
        lines.append(f"| {name} | {ms:.1f} | {q} | {n} alarms | {ms / bms:.1f}x |")
        lines.append(f"| baseline: {base} | {bms:.1f} | {bq} | {bn} rows | 1.0x |")
    fire_ms = rows["tick firing breaches"][0]
    lines += [
        f"| (of which: building and validating {tick['due']} alarm envelopes, "
        f"`contracts.make_event`) | {tick['envelopes_ms']:.1f} | 0 | | "
        f"{tick['envelopes_ms'] / fire_ms:.0%} of the tick |",
        "", f"Reading: an idle tick, the common case, is one indexed SELECT on `alarm_at` "
        f"({rows['idle tick'][0]:.1f} ms against {rows['bare SELECT of due rows'][0]:.1f} ms "
        f"for the bare SELECT over the same {tick['deadlines']:,} rows). A tick that fires "
        f"costs {fire_ms / tick['due']:.1f} ms per alarm: the row locked (SKIP LOCKED), the "
        "rules applied, the row updated and the alarm staged in the outbox in the same "
        "transaction, so an alarm is never lost or doubled; the bare baseline does none of "
        f"that. Ingestion runs at {svc_rate / per_event_rate:.2f}x the single-connection "
        "one-commit-per-event baseline: each event is validated against its contract, "
        "deduplicated (a processed-event row), its case's rows locked, both timers derived "
        "and written, in one transaction.",
        "", "Not measured here: the inbox gate (one passive queue declare per event queue per "
        "tick, on RabbitMQ) and the outbox relay's publishing.", END]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1500)
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "benchmarks.md"))
    args = parser.parse_args()
    started = time.perf_counter()
    tick = bench_tick(args.deadlines, args.due)
    print("tick:", tick["rows"], flush=True)
    ingest = bench_ingestion(args.events)
    print("ingestion:", ingest, flush=True)
    write_section(args.out, "sla-bench", section(ingest, tick, time.perf_counter() - started))
    print(f"wrote the SLA section of {args.out}")


if __name__ == "__main__":
    main()
