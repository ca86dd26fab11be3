"""``python -m osac_shared.healthcheck``, the probe every image and compose service runs:
exit 0 for a service that answers health() on the real bus, 1 otherwise, and never hang."""
import http.server
import importlib.util
import os
import subprocess
import sys
import threading
import time

import pytest

from osac_shared.testing import free_port


def probe(*args, env=None, limit=60):
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "osac_shared.healthcheck", *args],
                            capture_output=True, text=True, timeout=limit,
                            env=dict(os.environ, **(env or {})))
    return result, time.monotonic() - started


@pytest.fixture(scope="module")
def plat(platform_factory):
    return platform_factory(["logistics"])


def test_a_running_service_is_healthy(plat):
    result, _ = probe("logistics", env={"AMQP_URI": plat.amqp_uri})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("logistics: healthy")


def test_a_service_that_is_not_running_is_unhealthy_within_the_timeout(plat):
    result, took = probe("aid", "--timeout", "2", "--amqp-uri", plat.amqp_uri)
    assert result.returncode == 1
    assert result.stdout.startswith("aid: unhealthy")
    assert took < 25          # bounded even on a loaded machine


def test_no_broker_is_unhealthy_quickly():
    closed = f"amqp://guest:guest@127.0.0.1:{free_port()}/"
    result, took = probe("logistics", "--timeout", "2", env={"AMQP_URI": closed})
    assert result.returncode == 1, result.stdout
    assert "RabbitMQ not reachable" in result.stdout, result.stdout
    assert took < 25          # bounded even on a loaded machine


class Answer(http.server.BaseHTTPRequestHandler):
    """A real HTTP server answering every GET with the status in the path: /status/503."""

    def do_GET(self):
        self.send_response(int(self.path.rsplit("/", 1)[-1]))
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_base():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("status, code", [(200, 0), (204, 0), (404, 1), (500, 1), (503, 1)])
def test_gateway_probe_follows_the_http_status(http_base, status, code):
    result, _ = probe("gateway", "--timeout", "2", "--url", f"{http_base}/status/{status}")
    assert result.returncode == code, result.stdout


def test_gateway_probe_on_a_closed_port_is_unhealthy():
    result, took = probe("gateway", "--timeout", "2",
                         env={"GATEWAY_HEALTH_URL": f"http://127.0.0.1:{free_port()}/healthz/live"})
    assert result.returncode == 1
    assert result.stdout.startswith("gateway: unhealthy")
    assert took < 25          # bounded even on a loaded machine


def gateway_installed():
    try:
        return importlib.util.find_spec("gateway.wsgi") is not None
    except ImportError:
        return False


@pytest.mark.skipif(not gateway_installed(), reason="the gateway package is not installed yet")
def test_the_real_gateway_is_healthy(platform_factory):
    plat = platform_factory(["logistics"], gateway=True)
    result, _ = probe("gateway", "--url", plat.gateway_url + "/healthz/live")
    assert result.returncode == 0, result.stdout
