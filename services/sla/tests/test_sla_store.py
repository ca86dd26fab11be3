"""Deadline rows on the embedded default database (SQLite, migrated by Alembic): a state
survives the round trip with its time zone, only due, open rows are claimed, and the at-risk
list holds warned, open, unpaused rows, soonest due first."""
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy.orm import sessionmaker

from osac_shared.clock import TZ
from osac_shared.db import make_engine
from osac_shared.migrations import upgrade

from sla import domain, store

DATA = {"item_code": "logistics.complaint", "window": 11, "department": "logistics",
        "student_id": "2026000001", "limit": {"value": 3, "unit": "working_days"},
        "submitted_at": "2026-03-02T10:00:00+08:00"}


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def session(tmp_path):
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    upgrade("sla", url)
    engine = make_engine(url)
    s = sessionmaker(bind=engine)()
    yield s
    s.close()
    engine.dispose()


def test_round_trip_and_claim(session):
    state = domain.recompute(replace(domain.new_state("logistics-1", DATA),
                                     green_since=at("2026-03-02T11:00"), green_channel=True,
                                     actor_id="logistics_b", actor_role="b_post",
                                     actor_at=at("2026-03-02T10:30")))
    assert state.basis == "green"
    closed = replace(state, case_id="logistics-2", status=domain.MET, alarm_at=None)
    store.save(session, None, state)
    store.save(session, None, closed)
    session.commit()
    session.expunge_all()
    back = store.state_of(store.get(session, "logistics-1", domain.COMPLETION))
    assert back == state and back.due_at.utcoffset().total_seconds() == 8 * 3600
    before = datetime(2026, 3, 2, 12, 29, tzinfo=TZ)
    assert store.claim_due(session, before) == []
    claimed = store.claim_due(session, datetime(2026, 3, 2, 12, 30, tzinfo=TZ))
    assert [r.case_id for r in claimed] == ["logistics-1"]
    rows = store.many(session, ["logistics-1", "logistics-2", "x"], domain.COMPLETION)
    assert sorted(r.case_id for r in rows) == ["logistics-1", "logistics-2"]


def test_timers_of_a_case_and_the_at_risk_list(session):
    base = domain.recompute(domain.new_state("c-1", DATA))
    acceptance = domain.recompute(domain.new_state("c-1", DATA, domain.ACCEPTANCE))
    warned = dict(warned_at=at("2026-03-05T09:00"))
    rows = [base, acceptance,
            replace(base, case_id="c-2", due_at=at("2026-03-04T17:30"), **warned),
            replace(base, case_id="c-3", due_at=at("2026-03-03T17:30"), **warned),
            replace(base, case_id="c-4", status=domain.BREACHED, **warned),
            replace(base, case_id="c-5", status=domain.MET, **warned),
            replace(base, case_id="c-6", paused_since=at("2026-03-05T10:00"), **warned)]
    for state in rows:
        store.save(session, None, state)
    session.commit()
    assert [r.timer for r in store.of_case(session, "c-1")] == ["acceptance", "completion"]
    assert set(store.lock_timers(session, "c-1", ["completion", "acceptance"])) == {
        "completion", "acceptance"}
    page, total = store.at_risk(session, 1, 1)
    assert total == 2 and [r.case_id for r in page] == ["c-3"]
    assert [r.case_id for r in store.at_risk(session, 2, 1)[0]] == ["c-2"]
    window = (at("2026-03-01T00:00"), at("2026-03-08T00:00"))
    assert len(store.submitted_between(session, *window)) == 7
    assert len(store.submitted_between(session, *window, [domain.ACCEPTANCE])) == 1
