"""The whole platform, as users run it: every department, the SLA service and the gateway."""
import pytest
import requests

from osac_shared.registry import DEPARTMENTS


@pytest.fixture(scope="session")
def hall(platform_factory, tmp_path_factory):
    return platform_factory(list(DEPARTMENTS) + ["sla"], gateway=True, tag="e2e")


@pytest.fixture(scope="session")
def url(hall):
    return hall.gateway_url


@pytest.fixture(scope="session")
def login(url):
    def log_in(username):
        s = requests.Session()
        r = s.post(f"{url}/api/login", json={"username": username, "password": "demo1234"},
                   timeout=15)
        assert r.status_code == 200, r.text
        return s
    return log_in
