"""Fixtures shared by every test folder (root conftest): the real platform on real RabbitMQ
and PostgreSQL, started as the users run it (see osac_shared.testing).

A platform is a dozen processes and their database connections, so it lives no longer than
the tests that use it: ``platform_factory`` stops its platforms at the end of the module.
Folders whose modules share one platform (tests/e2e, tests/browser, tests/security) are
packages (an ``__init__.py``) whose conftest starts it in a package-scoped fixture: a
package-scoped fixture defined here, above any package, would live for the whole session
(tests/unit/test_fixture_scopes.py keeps it so)."""
import pytest

from osac_shared.testing import platforms


@pytest.fixture(scope="module")
def platform_factory():
    """Start a Platform with the named services; stopped when the module's tests are done."""
    with platforms() as start:
        yield start
