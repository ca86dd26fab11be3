"""``python -m osac_shared.healthcheck``, the probe every image and compose service runs, on
real service processes: by default it asks the process beside it (its /healthz on
METRICS_PORT: container running, on the broker, database answering), ``--live`` only that it
runs and answers, ``--rpc`` the service on the bus (any replica). Exit 0 healthy, 1 not, with
the reason, and never hang. A replica that is killed, hung or cut off from the broker is
unhealthy even while another replica answers the service's RPCs."""
import http.server
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial

import pytest

from osac_shared import testing
from osac_shared.testing import free_port, rabbitmqctl


def probe(*args, env=None, limit=60):
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "osac_shared.healthcheck", *args],
                            capture_output=True, text=True, timeout=limit,
                            env=dict(os.environ, **(env or {})))
    return result, time.monotonic() - started


eventually = partial(testing.eventually, timeout=45, interval=1)


@pytest.fixture(scope="module")
def plat(platform_factory):
    plat = platform_factory(["logistics"], extra_env={"METRICS_PORT": str(free_port())})
    plat.port = plat.processes["logistics"].env["METRICS_PORT"]
    return plat


def local(plat, *args, port=None):
    """The probe as the container runs it: METRICS_PORT in its environment."""
    return probe("logistics", "--timeout", "3", *args,
                 env={"METRICS_PORT": str(port or plat.port)})[0]


def test_the_running_process_is_healthy_and_live(plat):
    result = local(plat)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("logistics: healthy")
    for check in ("'container': 'running'", "'broker': 'connected'", "'database': 'ok'"):
        assert check in result.stdout, result.stdout
    assert local(plat, "--live").returncode == 0


def test_the_rpc_check_asks_the_service_on_the_bus(plat):
    """As the container asks: with the service's own RabbitMQ user."""
    result, _ = probe("logistics", "--rpc", env={"AMQP_URI": plat.bus.uri("logistics")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("logistics: healthy")


def test_a_service_that_is_not_running_is_unhealthy_within_the_timeout(plat):
    result, took = probe("aid", "--rpc", "--timeout", "2", "--amqp-uri", plat.bus.uri("aid"))
    assert result.returncode == 1
    assert result.stdout.startswith("aid: unhealthy")
    assert took < 25          # bounded even on a loaded machine
    result, took = probe("aid", "--timeout", "2", "--port", str(free_port()))
    assert result.returncode == 1 and result.stdout.startswith("aid: unhealthy")
    assert took < 25


def test_without_metrics_port_the_probe_says_what_is_missing():
    result, _ = probe("logistics", env={"METRICS_PORT": ""})
    assert result.returncode == 1
    assert "METRICS_PORT is not set" in result.stdout, result.stdout


def test_no_broker_is_unhealthy_quickly():
    closed = f"amqp://guest:guest@127.0.0.1:{free_port()}/"
    result, took = probe("logistics", "--rpc", "--timeout", "2", env={"AMQP_URI": closed})
    assert result.returncode == 1, result.stdout
    assert "RabbitMQ not reachable" in result.stdout, result.stdout
    assert took < 25          # bounded even on a loaded machine


def close_connections(vhost):
    """Have RabbitMQ close every connection on ``vhost`` (this platform's own)."""
    for line in rabbitmqctl("list_connections", "vhost", "pid").stdout.splitlines():
        conn_vhost, pid = line.split("\t")
        if conn_vhost == vhost:
            rabbitmqctl("close_connection", pid, "health check test")


def test_a_process_cut_off_from_the_broker_is_unhealthy_but_live(plat):
    """RabbitMQ drops the process's connections and refuses its reconnects: its own /healthz
    says so within seconds (the process keeps running and retrying, so it is still live);
    once the broker lets it back in, it is healthy again."""
    user = plat.bus.user("logistics")          # the process's own RabbitMQ user
    rabbitmqctl("clear_permissions", "-p", plat.vhost, user)
    try:
        close_connections(plat.vhost)
        def unhealthy():
            result = local(plat)
            return result if result.returncode == 1 else None
        cut = eventually(unhealthy)
        assert cut, "still healthy without a broker connection"
        assert "disconnected" in cut.stdout, cut.stdout
        assert plat.processes["logistics"].alive()
        assert local(plat, "--live").returncode == 0     # no restart for a broker outage
    finally:
        rabbitmqctl("set_permissions", "-p", plat.vhost, user,
                    *plat.bus.permissions("logistics"))
    assert eventually(lambda: local(plat).returncode == 0), local(plat).stdout


def test_a_hung_process_is_not_live(plat):
    pid = plat.processes["logistics"].proc.pid
    os.kill(pid, signal.SIGSTOP)              # it holds its port and its connections
    try:
        result = local(plat, "--live")
        assert result.returncode == 1
        assert result.stdout.startswith("logistics: unhealthy")
    finally:
        os.kill(pid, signal.SIGCONT)
    assert eventually(lambda: local(plat).returncode == 0), local(plat).stdout


def test_a_killed_replica_is_unhealthy_while_the_other_answers_rpcs(plat):
    """Two replicas; one is killed. The RPC check still passes (the other one answers), which
    is why the probes ask the replica's own process: that one is unhealthy and not live."""
    replica = plat.service_process("logistics")
    replica.env["METRICS_PORT"] = port = str(free_port())
    replica.start()
    try:
        assert eventually(lambda: local(plat, port=port).returncode == 0), \
            replica.log_tail()
        replica.kill()
        for args in ((), ("--live",)):
            result = local(plat, *args, port=port)
            assert result.returncode == 1 and result.stdout.startswith("logistics: unhealthy")
        result, _ = probe("logistics", "--rpc", env={"AMQP_URI": plat.bus.uri("logistics")})
        assert result.returncode == 0, result.stdout     # the survivor answers for the service
        assert local(plat).returncode == 0
    finally:
        replica.kill()


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
