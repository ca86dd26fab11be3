"""One platform for the journeys, started the way ``make run`` starts it: every department,
the SLA and the hall services and the gateway, each process under its own RabbitMQ user on
the platform's own vhost (osac_shared.testing), demo data seeded everywhere (SEED_DEMO=1),
and one clock file every process reads, so a journey can wait out a public notice."""
import os
import tempfile
import uuid

import pytest

from osac_shared.registry import SERVICES
from osac_shared.testing import platforms


@pytest.fixture(scope="package")
def platform():
    with tempfile.TemporaryDirectory() as folder, platforms() as start:
        clock = os.path.join(folder, "clock")
        # OSAC_JOURNEY_TAG: another vhost and databases, so two journey runs on one machine
        # (one RabbitMQ, one PostgreSQL) do not drop each other's
        tag = os.environ.get("OSAC_JOURNEY_TAG") or f"jrn{uuid.uuid4().hex[:6]}"
        yield start(list(SERVICES), gateway=True, tag=tag, clock_file=clock,
                    extra_env={"SEED_DEMO": "1"})


@pytest.fixture(scope="package")
def sessions():
    """Logged-in sessions by username, shared by the journeys (logging in costs ~0.4 s)."""
    return {}


@pytest.fixture(autouse=True)
def real_time(platform):
    """Each journey starts at the real time: a journey that waits out a public notice (or
    makes a repair overdue) moves the platform's clock, and it goes back afterwards, so no
    journey depends on the ones before it."""
    yield
    if platform.clock_file and os.path.exists(platform.clock_file):
        os.remove(platform.clock_file)


@pytest.fixture
def catalogue(platform):
    """The catalogue as it is now (the examples' dates follow the clock)."""
    import requests
    body = requests.get(platform.gateway_url + "/api/catalogue", timeout=60).json()
    assert body["unavailable"] == [], body["unavailable"]
    return {i["code"]: i for i in body["items"]}
