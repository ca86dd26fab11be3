"""Deadline rows on the embedded default database (SQLite, migrated by Alembic): a state
survives the round trip with its time zone, and only due, open rows are claimed."""
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
    state = domain.recompute(domain.new_state("logistics-1", DATA))
    closed = replace(state, case_id="logistics-2", status=domain.MET, alarm_at=None)
    store.save(session, None, state)
    store.save(session, None, closed)
    session.commit()
    session.expunge_all()
    back = store.state_of(store.get(session, "logistics-1", domain.COMPLETION))
    assert back == state and back.due_at.utcoffset().total_seconds() == 8 * 3600
    before = datetime(2026, 3, 5, 8, 52, tzinfo=TZ)
    assert store.claim_due(session, before) == []
    claimed = store.claim_due(session, datetime(2026, 3, 5, 9, 0, tzinfo=TZ))
    assert [r.case_id for r in claimed] == ["logistics-1"]
    rows = store.many(session, ["logistics-1", "logistics-2", "x"], domain.COMPLETION)
    assert sorted(r.case_id for r in rows) == ["logistics-1", "logistics-2"]
