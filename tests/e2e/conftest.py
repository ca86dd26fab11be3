"""The whole platform, as users run it: every department, the SLA service and the gateway."""
import pytest

from osac_shared.registry import DEPARTMENTS
from osac_shared.testing import login_session, platforms


@pytest.fixture(scope="package")
def hall():
    with platforms() as start:
        yield start(list(DEPARTMENTS) + ["sla"], gateway=True, tag="e2e")


@pytest.fixture(scope="package")
def url(hall):
    return hall.gateway_url


@pytest.fixture(scope="package")
def login(url):
    def log_in(username):
        return login_session(url, username)       # cookie + X-CSRF-Token header
    return log_in
