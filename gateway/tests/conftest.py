"""Helpers for the gateway's HTTP tests (the platform itself comes from the root conftest)."""
import pytest
import requests


@pytest.fixture(scope="session")
def login():
    """login(base_url, username) -> a requests.Session holding that user's cookie."""
    def do(base_url, username, password="demo1234"):
        session = requests.Session()
        r = session.post(base_url + "/api/login", json={"username": username,
                                                        "password": password}, timeout=10)
        assert r.status_code == 200, r.text
        return session
    return do
