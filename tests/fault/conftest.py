"""Tools for the fault tests (``-m fault``): clients that retry with the same Idempotency-Key
until they get an answer, a load of such clients, the faults themselves (close a vhost's broker
connections, block a database) and ``record``, which writes a test's figures to
``test-artifacts/reliability/<name>.json`` for ``tests/fault/report.py``.

Every loop here is bounded by a deadline, and everything talks to 127.0.0.1 only.
"""
import json
import os
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import create_engine, text

from osac_shared.testing import ARTIFACTS, PG_BASE, login_session as login, rabbitmqctl

RELIABILITY = os.path.join(ARTIFACTS, "reliability")
PAUSE = 0.25          # between two attempts of one request


# ---- HTTP clients ----------------------------------------------------------------------
@dataclass
class Attempt:
    started: float          # monotonic
    ended: float
    status: object          # an HTTP status, or the name of a connection error
    wall: float = 0.0       # time.time() at the start


@dataclass
class Result:
    key: str
    response: requests.Response | None = None     # the final answer (None: never answered)
    attempts: list = field(default_factory=list)

    @property
    def accepted(self):
        return self.response is not None and self.response.status_code in (200, 201)


def post_until_answered(session, url, path, payload, key, deadline):
    """POST with the same Idempotency-Key until a definite answer (2xx or 4xx) or until
    ``deadline()`` (monotonic seconds) passes. A 5xx must be a JSON error naming what failed,
    never a bare 500 ("internal_error")."""
    result = Result(key)
    while time.monotonic() < deadline():
        start, wall = time.monotonic(), time.time()
        try:
            r = session.post(url + path, json=payload, headers={"Idempotency-Key": key},
                             timeout=15)
        except requests.RequestException as exc:
            result.attempts.append(Attempt(start, time.monotonic(), type(exc).__name__, wall))
            time.sleep(PAUSE)
            continue
        result.attempts.append(Attempt(start, time.monotonic(), r.status_code, wall))
        if r.status_code < 500:
            result.response = r
            return result
        body = r.json()
        assert body["error"] != "internal_error", body
        assert body["message"] and body["message_en"], body
        time.sleep(PAUSE)
    return result


class Load:
    """``threads`` clients, each logged in as one of ``users``, each POSTing new requests
    (``payload(i)``, a fresh Idempotency-Key each) until ``stop()``. Every request is retried
    with its own key until answered; after the stop, for at most ``drain`` seconds."""

    def __init__(self, url, path, users, payload, tag, threads=4, drain=40):
        self.url, self.path, self.payload, self.tag, self.drain = url, path, payload, tag, drain
        self.users = [users[i % len(users)] for i in range(threads)]
        self.sessions = [login(url, u) for u in self.users]
        self.results = []                 # (user, Result)
        self._lock = threading.Lock()
        self._give_up_at = float("inf")
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True)
                         for n in range(threads)]

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def _deadline(self):
        return self._give_up_at

    def _run(self, n):
        i = 0
        while self._give_up_at == float("inf"):
            result = post_until_answered(self.sessions[n], self.url, self.path,
                                         self.payload(i), f"{self.tag}-{n}-{i}", self._deadline)
            with self._lock:
                self.results.append((self.users[n], result))
            i += 1
            time.sleep(0.05)

    def stop(self):
        self._give_up_at = time.monotonic() + self.drain
        for t in self._threads:
            t.join(self.drain + 30)

    # -- figures -----------------------------------------------------------------------
    def accepted(self):
        return [(u, r) for u, r in self.results if r.accepted]

    def refused(self):
        """Definite answers that are not a success (4xx): none expected under faults."""
        return [(u, r) for u, r in self.results if r.response is not None and not r.accepted]

    def statuses(self):
        return Counter(str(a.status) for _, r in self.results for a in r.attempts)

    def recovery_after(self, moment):
        """Seconds from ``moment`` to the end of the first successful attempt that started
        after it (None: none did)."""
        ends = [a.ended for _, r in self.results for a in r.attempts
                if a.started >= moment and a.status in (200, 201)]
        return round(min(ends) - moment, 2) if ends else None

    def tally(self, stored, id_field, time_field=None):
        """Figures against what the department stored, ``stored`` = [(key, id)] of every row
        with a key of this load: attempted, accepted, lost (accepted but not stored, or
        stored under another id), duplicated (more than one row for a key, or a row for a key
        never accepted nor attempted), unanswered, refused, and every attempt's status.
        With ``time_field`` (the answer's creation time): ``done_though_503``, requests that
        were carried out by an attempt the gateway had answered 503 ("not running, nothing
        sent"); a 504 says "may have happened", so those are fine."""
        by_key = Counter(k for k, _ in stored)
        ids = {k: i for k, i in stored}
        answered = {r.key: r.response.json()[id_field] for _, r in self.accepted()}
        tried = {r.key for _, r in self.results}
        return {
            "attempted": len(self.results), "accepted": len(answered),
            "lost": sum(1 for k, i in answered.items() if ids.get(k) != i),
            "duplicated": sum(n - 1 for n in by_key.values())
                          + sum(1 for k in by_key if k not in tried),
            "unanswered": sum(1 for _, r in self.results if r.response is None),
            "refused": len(self.refused()),
            "stored_without_answer": sum(1 for k in by_key if k in tried and k not in answered),
            "http_statuses": dict(sorted(self.statuses().items())),
            **({"done_though_503": self.done_though_503(time_field)} if time_field else {}),
        }

    def done_though_503(self, time_field):
        count = 0
        for _, r in self.accepted():
            created = datetime.fromisoformat(r.response.json()[time_field]).timestamp()
            causes = [a for a in r.attempts if a.wall <= created]    # the last one did it
            count += bool(causes) and causes[-1] is not r.attempts[-1] \
                and causes[-1].status == 503
        return count


# ---- faults ----------------------------------------------------------------------------
def vhost_connections(vhost):
    """Pids of the broker connections in ``vhost`` (and no other)."""
    out = rabbitmqctl("list_connections", "vhost", "pid").stdout
    rows = [line.split("\t") for line in out.splitlines() if "\t" in line]
    return [pid for v, pid in rows if v == vhost]


def close_vhost_connections(vhost, reason="fault test: broker restart"):
    """Force-close every connection of ``vhost``, leaving other vhosts alone (the broker is
    shared with other test runs). The pids ``list_connections`` gave for this vhost are closed
    in ONE ``rabbitmqctl eval`` calling ``rabbit_networking:close_connection`` for each - what
    ``rabbitmqctl close_connection <pid>`` does, without starting one CLI (an Erlang VM, ~1 s)
    per connection; if eval is refused, one ``close_connection`` per pid."""
    pids = vhost_connections(vhost)
    expr = "[rabbit_networking:close_connection(rabbit_misc:string_to_pid(P), %s) || P <- [%s]]." \
        % (json.dumps(reason), ",".join(json.dumps(p) for p in pids))
    if pids and subprocess.run(["rabbitmqctl", "-q", "eval", expr], capture_output=True,
                               timeout=60).returncode != 0:
        for pid in pids:
            subprocess.run(["rabbitmqctl", "-q", "close_connection", pid, reason],
                           capture_output=True, timeout=60)
    return len(pids)


def admin_engine():
    return create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")


def block_database(name):
    """Refuse new connections to database ``name`` and end the ones it has."""
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": name})
    engine.dispose()


def allow_database(name):
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    engine.dispose()


def query(db_url, sql, **params):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def wait_until(probe, timeout=30, interval=0.3):
    """Poll ``probe()`` until truthy; returns its last value (falsy on time-out)."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = probe()
    return value


# ---- figures ---------------------------------------------------------------------------
def write_record(name, **figures):
    os.makedirs(RELIABILITY, exist_ok=True)
    row = {"test": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **figures}
    with open(os.path.join(RELIABILITY, f"{name}.json"), "w") as f:
        json.dump(row, f, ensure_ascii=False, indent=2, default=str)
    print(f"\n[reliability] {json.dumps(row, ensure_ascii=False, default=str)}")
    return row


@pytest.fixture(scope="session")
def tools():
    """The helpers above, for the test modules (conftest is not importable under
    --import-mode=importlib)."""
    return SimpleNamespace(
        Load=Load, login=login, post_until_answered=post_until_answered,
        vhost_connections=vhost_connections, close_vhost_connections=close_vhost_connections,
        block_database=block_database, allow_database=allow_database, query=query,
        wait_until=wait_until, record=write_record)
