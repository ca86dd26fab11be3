"""Helpers for the gateway's HTTP tests (the platform itself comes from the root conftest)."""
import pytest

from osac_shared.testing import login_session


@pytest.fixture(scope="session")
def login():
    """login(base_url, username) -> a requests.Session holding that user's cookie (and
    sending its CSRF token in X-CSRF-Token)."""
    def do(base_url, username, password="demo1234"):
        return login_session(base_url, username, password)    # sends the CSRF header too
    return do
