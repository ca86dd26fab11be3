"""A department rolls out a new version alone, as in a rolling update: the old aid service (its
code and the shared library as they were at ``OLD_REV``, from ``git archive``) serves first,
the new one (this tree) starts beside it on the same queue and database and migrates it
forward, the old one is stopped (SIGTERM), the new one goes on. Meanwhile students submit and
list through the gateway and aid's B post accepts, non-stop: no request may fail, every case
event reaches the SLA, and both award events are paid by finance -- aid.awarded v1 from the
old code, v2 from the new (finance reads both; consumers are upgraded first)."""
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine, text

from osac_shared.clock import TZ
from osac_shared.testing import (ACTORS, REPO, Platform, Process, fresh_database, rabbitmqctl,
                                 staff)

pytestmark = pytest.mark.fault

# the last commit whose aid service runs on its own and still publishes aid.awarded v1
OLD_REV = os.environ.get("OSAC_ROLL_FROM", "9834e87")
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)                  # a Monday
SCHOLARSHIP = ("aid.national-scholarship", ["application_form", "transcript"],
               {"hardship_level": "none", "rank_percent": 5, "statement": "专业第一"})
# the new code takes the hardship level from aid's own records, and its review committee
# (not the A post) records the committee's decision
NEW_SCHOLARSHIP = ("aid.national-scholarship", ["application_form", "transcript"],
                   {"rank_percent": 5, "statement": "专业第一"})
AID_COMMITTEE = {"id": "aid_committee", "role": "committee", "department": "aid",
                 "name": "资助评审委员会"}
CONSULTATION = {"item_code": "aid.policy-consultation", "materials": [],
                "form": {"topic": "grant", "question": "国家助学金怎么申请？"}}
B, A = staff("aid", "b_post"), staff("aid", "a_post")


def old_code(tmp_path):
    """services/aid and shared at OLD_REV, unpacked into ``tmp_path``."""
    archive = subprocess.run(["git", "archive", OLD_REV, "services/aid", "shared"], cwd=REPO,
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp_path)], input=archive, check=True)
    awards = (tmp_path / "services/aid/aid/awards.py").read_text(encoding="utf-8")
    assert "version=2" not in awards, f"{OLD_REV} already publishes aid.awarded v2"
    return tmp_path


@pytest.fixture(scope="module")
def plat(tmp_path_factory):
    clock = tmp_path_factory.mktemp("clock") / "now"
    clock.write_text(T0.isoformat())
    plat = Platform(["sla", "finance"], gateway=True, clock_file=str(clock),
                    extra_env={"RPC_TIMEOUT": "8"})
    plat.db_urls["aid"] = fresh_database(f"osac_{plat.tag}_aid")   # shared by old and new
    try:
        plat.start()
        yield plat
    finally:
        plat.stop()


def start_old(plat, code):
    env = plat.env("aid")                   # aid's own RabbitMQ user, as the new one has
    env["PYTHONPATH"] = os.pathsep.join([str(code / "shared"), str(code / "services/aid")])
    argv = [sys.executable, "-m", "osac_shared.runner", "--config",
            str(code / "services/aid/config.yml"), "aid.service:AidService"]
    proc = Process("aid-old", argv, env, os.path.join(plat.log_dir, "aid-old.log"))
    proc.start()
    plat.processes["aid-old"] = proc

    def healthy():
        assert proc.alive(), proc.log_tail()
        try:
            with plat.rpc(timeout=2) as rpc:
                return rpc.aid.health()["status"] == "ok"
        except Exception:
            return False
    wait_for(healthy, what="the old aid")
    return proc


def consumers(plat, queue="rpc-aid"):
    out = rabbitmqctl("list_queues", "-p", plat.vhost, "name", "consumers").stdout
    rows = dict(line.split("\t") for line in out.splitlines() if "\t" in line)
    return int(rows.get(queue, 0))


def wait_for(probe, timeout=60, what=""):
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def login(url, username):
    session = requests.Session()
    r = session.post(f"{url}/api/login", json={"username": username, "password": "demo1234"},
                     timeout=15)
    assert r.status_code == 200, r.text
    if session.cookies.get("csrf_token"):
        session.headers["X-CSRF-Token"] = session.cookies["csrf_token"]
    return session


class Traffic:
    """Students submitting and listing, aid's B post accepting -- until ``stop()``. Every
    answer is counted by (what, status); anything but success is an error."""

    def __init__(self, url):
        self.url, self.running = url, True
        self.counts, self.errors, self.submitted, self.accepted = Counter(), [], [], []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.student, args=(u, n), daemon=True)
                        for n, u in enumerate(["2026000001", "2026000002"])]
        self.threads.append(threading.Thread(target=self.b_post, daemon=True))

    def note(self, what, response, ok=(200, 201)):
        with self.lock:
            self.counts[(what, response.status_code)] += 1
            body = response.json() if response.headers.get("content-type", "").startswith(
                "application/json") else {}
            if response.status_code not in ok or "aid" in body.get("unavailable", []):
                self.errors.append((what, response.status_code, response.text[:300]))
        return response

    def student(self, username, n):
        session, i = login(self.url, username), 0
        while self.running:
            r = self.note("submit", session.post(f"{self.url}/api/cases", json=CONSULTATION,
                                                 headers={"Idempotency-Key": f"roll-{n}-{i}"},
                                                 timeout=30))
            if r.status_code == 201:
                with self.lock:
                    self.submitted.append(r.json()["id"])
            self.note("list", session.get(f"{self.url}/api/me/cases", timeout=30))
            i += 1
            time.sleep(0.05)

    def b_post(self):
        session, done = login(self.url, "aid_b"), 0
        while self.running:
            with self.lock:
                todo = self.submitted[done:]
            for case_id in todo:
                r = self.note("accept", session.post(
                    f"{self.url}/api/cases/{case_id}/accept", json={}, timeout=30))
                if r.status_code == 200:
                    self.accepted.append(case_id)
            done += len(todo)
            time.sleep(0.1)

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(60)


def award(plat, student, at, new=False):
    """Submit, review and pay a scholarship (the award's completion is at ``at``), as the old
    code or the ``new`` one wants it."""
    plat.set_time(at - timedelta(days=8))
    with plat.rpc(student) as rpc:
        case = rpc.aid.submit_case(*(NEW_SCHOLARSHIP if new else SCHOLARSHIP),
                                   f"roll-award-{student['id']}")
    with plat.rpc(B) as rpc:
        rpc.aid.act(case["id"], "accept")
    with plat.rpc(A) as rpc:
        rpc.aid.act(case["id"], "approve")
    with plat.rpc(AID_COMMITTEE if new else A) as rpc:
        rpc.aid.record_committee_decision(case["id"], True, "评审通过")
    plat.set_time(at)
    with plat.rpc(A) as rpc:
        assert rpc.aid.act(case["id"], "complete")["status"] == "completed"
    return case["id"]


def rows(url, sql, **params):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def test_aid_is_rolled_alone_with_no_failed_request(plat, tmp_path):
    code = old_code(tmp_path)
    old = start_old(plat, code)
    traffic = Traffic(plat.gateway_url).start()

    time.sleep(3)                                            # old only
    old_award = award(plat, ACTORS["student"], T0 + timedelta(days=8, hours=6))
    assert consumers(plat) == 1

    new = plat.start_service("aid", wait=False)              # the new version beside it
    wait_for(lambda: consumers(plat) == 2, what="the new aid consuming rpc-aid")
    plat.wait_healthy("aid")
    time.sleep(4)                                            # both serve
    overlap = sum(traffic.counts.values())

    old.stop()                                               # SIGTERM: drains, then exits
    assert old.proc.returncode is not None
    wait_for(lambda: consumers(plat) == 1, what="the old aid gone")
    new_award = award(plat, ACTORS["student2"], T0 + timedelta(days=17, hours=6), new=True)
    time.sleep(4)                                            # new only
    traffic.stop()
    assert new.alive()

    counts = dict(traffic.counts)
    assert traffic.errors == [], traffic.errors[:5]
    assert counts.get(("submit", 201), 0) >= 20 and counts.get(("accept", 200), 0) >= 20
    assert counts.get(("list", 200), 0) >= 20 and sum(counts.values()) > overlap
    print(f"\n[rolling] {counts}")

    aid_db, sla_db = plat.db_url("aid"), plat.db_url("sla")
    case_events = {r[0] for r in rows(aid_db, "SELECT event_id FROM outbox "
                                              "WHERE type LIKE 'case.%'")}
    assert len(case_events) >= 2 * counts[("submit", 201)]
    wait_for(lambda: case_events <= {r[0] for r in rows(sla_db, "SELECT event_id FROM "
                                                                "processed_events")},
             what="the SLA to have every case event of both versions")
    with plat.rpc(ACTORS["director"]) as rpc:
        deadlines = rpc.sla.deadlines(traffic.submitted[:500])
    assert set(deadlines) == set(traffic.submitted[:500])

    awards = {r[0]: r[1] for r in rows(aid_db, "SELECT payload::json->>'case_id', "
                                               "payload::json->>'version' FROM outbox "
                                               "WHERE type = 'aid.awarded'")}
    assert awards == {old_award: "1", new_award: "2"}       # old code v1, new code v2

    def paid(student_id):
        with plat.rpc(ACTORS["director"]) as rpc:
            return [(e["ref"], e["description"]) for e in rpc.finance.ledger(student_id)[
                "entries"] if e["kind"] == "aid_disbursement"]
    wait_for(lambda: paid("2026000001") and paid("2026000002"), what="finance to pay both")
    assert paid("2026000001") == [(old_award, "2026-2027学年国家奖学金")]
    assert paid("2026000002") == [(new_award, "2026-2027学年国家奖学金")]
