"""Benchmark of the gateway's one-stop endpoints against two baselines measured in the same run.

    make bench            (or: .venv/bin/python benchmarks/run.py [--seconds 10] [--threads 8])

Starts the real platform (every department, the SLA service and the gateway under gunicorn) on
a fresh RabbitMQ vhost and fresh PostgreSQL databases, then measures, each for the same time
with the same number of client threads on loopback:

  baseline A  GET /healthz/live          a trivial gunicorn endpoint (no RPC, no I/O)
  baseline B  logistics.ping()           a raw Nameko echo RPC (one proxy per client thread)
  GET  /api/me/cases                     fan-out to every department + one SLA call
  POST /api/cases                        one submission (case row, history, outbox event)

and writes throughput and p50/p99 latency, with ratios against the baselines, to
docs/benchmarks.md. Loops are bounded in time; all traffic stays on 127.0.0.1.
"""
import argparse
import os
import platform as host
import statistics
import sys
import threading
import time
import uuid
from datetime import datetime

import requests
from nameko.standalone.rpc import ClusterRpcProxy

from osac_shared.registry import DEPARTMENTS
from osac_shared.testing import Platform, REPO, login_session

from sections import marked_sections

REPAIR = {"item_code": "logistics.dorm-repair", "materials": [],
          "form": {"building": "A3", "room": "302", "facility": "water",
                   "description": "水龙头漏水"}}


def login(base, username):
    return login_session(base, username)     # the session cookie and the CSRF header


def run_load(name, make_worker, threads, seconds):
    """Each thread calls its worker until the time is up; returns latencies and errors."""
    latencies, first_errors, error_count = [], [], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def loop():
        call = make_worker()
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                call()
                mine.append(time.perf_counter() - t0)
            except Exception as exc:   # counted, and the first one reported
                bad += 1
                if bad == 1:
                    with lock:
                        first_errors.append(repr(exc)[:200])
        with lock:
            latencies.extend(mine)
            error_count[0] += bad

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    lat = sorted(latencies)
    return {
        "name": name, "requests": len(lat), "errors": error_count[0],
        "first_error": first_errors[0] if first_errors else None,
        "rps": len(lat) / elapsed if elapsed else 0,
        "p50_ms": 1000 * statistics.median(lat) if lat else float("nan"),
        "p99_ms": 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan"),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "benchmarks.md"))
    args = parser.parse_args()

    services = list(DEPARTMENTS) + ["sla"]
    with Platform(services, gateway=True, tag="bench" + uuid.uuid4().hex[:4]) as plat:
        base = plat.gateway_url
        student = login(base, "2026000001")
        for _ in range(20):           # a student with some history across departments
            student.post(f"{base}/api/cases", json=REPAIR, timeout=10).raise_for_status()

        def live():
            s = requests.Session()
            return lambda: s.get(f"{base}/healthz/live", timeout=10).raise_for_status()

        def echo():
            proxy = ClusterRpcProxy({"AMQP_URI": plat.amqp_uri}, timeout=10).start()
            return lambda: proxy.logistics.ping()

        def my_cases():
            s = login(base, "2026000002")
            s.post(f"{base}/api/cases", json=REPAIR, timeout=10).raise_for_status()

            def call():
                r = s.get(f"{base}/api/me/cases", timeout=10)
                r.raise_for_status()
                if r.json()["unavailable"]:
                    raise RuntimeError(f"unavailable: {r.json()['unavailable']}")
            return call

        def submit():
            s = login(base, "2026000002")

            def call():
                r = s.post(f"{base}/api/cases", json=REPAIR, timeout=10,
                           headers={"Idempotency-Key": uuid.uuid4().hex})
                if r.status_code != 201:
                    raise RuntimeError(f"{r.status_code} {r.text[:120]}")
            return call

        results = [run_load("baseline A: GET /healthz/live (no RPC)", live, args.threads,
                            args.seconds),
                   run_load("baseline B: Nameko echo RPC logistics.ping()", echo,
                            args.threads, args.seconds),
                   run_load("GET /api/me/cases", my_cases, args.threads, args.seconds),
                   run_load("POST /api/cases", submit, args.threads, args.seconds)]
    write_report(args, results, services)
    for r in results:
        print(f"{r['name']:48s} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.1f} ms  "
              f"p99 {r['p99_ms']:7.1f} ms  errors {r['errors']}")


def write_report(args, results, services):
    live, echo = results[0], results[1]
    lines = [
        "# Benchmarks", "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on {host.node()} ({os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}), by `make bench` "
        f"(`benchmarks/run.py --seconds {args.seconds:g} --threads {args.threads}`).",
        "",
        f"The whole platform ran on this one machine: {', '.join(services)} as Nameko "
        "processes on PostgreSQL, RabbitMQ, and the gateway under gunicorn (2 gthread "
        f"workers x 8 threads); {args.threads} client threads on loopback, "
        f"{args.seconds:g} s per row. Figures are compared as ratios against the two baselines "
        "of the same run, never as absolute promises.", "",
        "| what | requests | errors | req/s | p50 ms | p99 ms | req/s vs A | req/s vs B |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['requests']} | {r['errors']} | {r['rps']:.1f} | "
            f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['rps'] / live['rps']:.3f} | "
            f"{r['rps'] / echo['rps']:.3f} |")
    errors = [f"- {r['name']}: {r['first_error']}" for r in results if r["first_error"]]
    if errors:
        lines += ["", "First error of each row:", *errors]
    lines += ["", "Reading: `GET /api/me/cases` makes one RPC per department in parallel plus one "
              "SLA call, so it is bounded by the bus (baseline B), not by gunicorn (baseline A).",
              ""]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    kept = marked_sections(args.out)      # the other benchmarks' sections (sla-bench, ...)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + ("\n" + kept if kept else ""))


if __name__ == "__main__":
    main()
