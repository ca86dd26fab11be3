"""Fixtures shared by every test folder (root conftest): the real platform on real RabbitMQ
and PostgreSQL, started as the users run it (see osac_shared.testing).

A platform is a dozen processes and their database connections, so it lives no longer than
the tests that use it: ``platform_factory`` stops its platforms at the end of the module,
``package_platform_factory`` at the end of the folder (for suites that share one platform)."""
import pytest

from osac_shared.testing import Platform


def _factory():
    started = []

    def start(services, **kwargs):
        p = Platform(services, **kwargs)
        started.append(p)
        p.start()
        return p
    return started, start


def _stop(started):
    for p in reversed(started):
        p.stop()


@pytest.fixture(scope="module")
def platform_factory():
    """Start a Platform with the named services; stopped when the module's tests are done."""
    started, start = _factory()
    yield start
    _stop(started)


@pytest.fixture(scope="package")
def package_platform_factory():
    """Like platform_factory, stopped when the folder's tests are done."""
    started, start = _factory()
    yield start
    _stop(started)
