"""Fixtures shared by every test folder (root conftest): the real platform on real RabbitMQ
and PostgreSQL, started as the users run it (see osac_shared.testing)."""
import pytest

from osac_shared.testing import Platform


@pytest.fixture(scope="session")
def platform_factory():
    """Start a Platform with the named services; all are stopped at the end of the session."""
    started = []

    def start(services, **kwargs):
        p = Platform(services, **kwargs)
        started.append(p)
        p.start()
        return p

    yield start
    for p in started:
        p.stop()
