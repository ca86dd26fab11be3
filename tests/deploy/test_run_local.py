"""``deploy/local/run.sh`` end to end, as ``make run`` uses it: every service of the registry
and the gateway under honcho, each on its own SQLite file, on a RabbitMQ vhost of its own,
each connected as its own RabbitMQ user (deploy/rabbitmq/definitions.json, passwords made by
run.sh) and refused outside its part of the bus; the banner with the URL and the demo
accounts appears; a certificate issued there points its QR code at that gateway's /verify
page; Ctrl-C (SIGINT) stops everything."""
import importlib.metadata
import importlib.util
import os
import queue
import re
import signal
import stat
import subprocess
import threading
import time
import urllib.parse

import amqp
import pytest
import requests

from osac_shared.registry import DEPARTMENTS, SERVICES, db_env_var
from osac_shared.testing import (AMQP_BASE, ARTIFACTS, REPO, create_vhost, delete_users,
                                 delete_vhost, free_port, login_session, rabbitmqctl)


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bus_checks = load("bus_permission_checks", "tests/security/test_bus_permissions.py")
ALL = [*SERVICES, "gateway"]


def connections(vhost):
    """{user: number of connections} on vhost, as the broker lists them."""
    rows = rabbitmqctl("list_connections", "user", "vhost").stdout.splitlines()
    found = {}
    for row in rows:
        fields = row.split("\t")
        if len(fields) == 2 and fields[1] == vhost:
            found[fields[0]] = found.get(fields[0], 0) + 1
    return found


def missing_packages():
    """Packages of the registry (and the gateway) not installed yet. One that is installed
    but broken is not skipped: the run must then fail."""
    installed = importlib.metadata.packages_distributions()
    wanted = [module.split(".")[0] for module, _ in SERVICES.values()] + ["gateway"]
    return [package for package in wanted if package not in installed]


def live_groups():
    """Process-group ids of the processes running now (zombies excluded), from /proc."""
    groups = set()
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            groups.add(int(fields[2]))
    return groups


def read_until(proc, marker, timeout, log_path):
    """Whole lines of proc's output until one contains marker; fails, showing the output, if
    the process ends or the time is up first. Every line also goes to log_path."""
    lines, seen = queue.Queue(), []

    def pump():
        with open(log_path, "w") as log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if marker in line:
            return seen
    telling = [line for line in seen if re.search(r"system +\||Error|Traceback|rc=", line)]
    raise AssertionError(f"no {marker!r} within {timeout}s (exit code {proc.poll()}); whole "
                         f"log: {log_path}\n" + "".join(telling[-80:]))


def certificate_code(gateway, port):
    """An enrollment certificate, applied for and completed over HTTP; its verify_url must
    be this gateway's (run.sh's VERIFY_BASE_URL). -> its code."""
    student, clerk = login_session(gateway, "2026000001"), login_session(gateway, "academic_b")
    r = student.post(f"{gateway}/api/cases", json={
        "item_code": "academic.enrollment-certificate", "form": {"purpose": "办理签证"}},
        timeout=20)
    assert r.status_code == 201, r.text
    for action in ("accept", "approve", "complete"):         # a B-post item
        r = clerk.post(f"{gateway}/api/cases/{r.json()['id']}/{action}", json={}, timeout=20)
        assert r.status_code == 200, r.text
    result = r.json()["result"]
    assert result["verify_url"] == f"http://127.0.0.1:{port}/verify/{result['certificate_code']}"
    return result["certificate_code"]


MISSING = missing_packages()


@pytest.mark.skipif(bool(MISSING), reason=f"not installed yet: {', '.join(MISSING)}")
def test_make_run_starts_everything_prints_the_accounts_and_stops_on_ctrl_c(tmp_path):
    vhost = f"osac-test-run-{os.getpid()}"
    create_vhost(vhost)
    port = free_port()
    prefix = f"t{os.getpid()}-"            # users of its own: a `make run` here keeps its own
    secrets = tmp_path / "secrets"
    databases = {db_env_var(name): f"sqlite:///{tmp_path}/{name}.db" for name in SERVICES}
    env = dict(os.environ, AMQP_URI=f"{AMQP_BASE}/{vhost}", GATEWAY_PORT=str(port),
               READY_TIMEOUT="240", GATEWAY_DB_URL=f"sqlite:///{tmp_path}/gateway.db",
               RABBITMQ_SECRETS_DIR=str(secrets), RABBITMQ_USER_PREFIX=prefix,
               **databases)
    proc = subprocess.Popen(["bash", os.path.join(REPO, "deploy", "local", "run.sh")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        os.makedirs(os.path.join(ARTIFACTS, "logs"), exist_ok=True)
        log_path = os.path.join(ARTIFACTS, "logs", f"run-local-{os.getpid()}.log")
        lines = read_until(proc, "press Ctrl-C to stop everything", 300, log_path)
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in output
        assert "demo1234" in output and "2026000001" in output and "2026000020" in output
        assert "aid_committee" in output and "committee" in output
        for account in ["director", "desk"] + [f"{d}_b / {d}_a" for d in DEPARTMENTS]:
            assert account in output
        assert "still starting" not in output
        # the gateway's probe answers from a passive queue declare with a 2 s time-out, so on a
        # loaded machine one answer may miss a service that is up: ask until all are, a while
        deadline, health = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()
            if all(health["dependencies"][name] == "up" for name in SERVICES):
                break
            time.sleep(1)
        assert all(health["dependencies"][name] == "up" for name in SERVICES), health
        for name in SERVICES:      # each service migrated its own SQLite file
            assert (tmp_path / f"{name}.db").exists()

        # a certificate issued here carries a QR code of this gateway's /verify page, which
        # answers without a login
        gateway = f"http://127.0.0.1:{port}"
        code = certificate_code(gateway, port)
        view = requests.get(f"{gateway}/verify/{code}", headers={"Accept": "application/json"},
                            timeout=10).json()
        assert (view["status"], view["student_name"]) == ("valid", "张*")

        # on the bus, each process is connected as its own user, and nobody else is
        assert f"each service is on the bus as its own RabbitMQ user (vhost {vhost}" in output
        assert "shares one RabbitMQ user" not in output
        assert set(connections(vhost)) == {prefix + name for name in ALL}
        for name in ALL:           # a password each, made by run.sh, readable by its owner only
            assert stat.S_IMODE((secrets / name).stat().st_mode) == 0o600
        # and finance's user is refused on another department's exchange
        host = urllib.parse.urlsplit(AMQP_BASE)
        finance = amqp.Connection(f"{host.hostname}:{host.port or 5672}",
                                  userid=prefix + "finance", virtual_host=vhost,
                                  password=(secrets / "finance").read_text().strip(),
                                  confirm_publish=True, connect_timeout=5)
        finance.connect()
        with finance:
            bus_checks.publish(finance, "finance.events", "bus-test.unrouted")  # its own
            assert bus_checks.refused(
                finance, lambda c: bus_checks.publish(c, "aid.events", "aid.awarded"))

        children = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", output)]
        assert len(children) == len(SERVICES) + 1

        os.killpg(proc.pid, signal.SIGINT)      # what Ctrl-C in the terminal sends
        proc.wait(timeout=60)
        time.sleep(1)
        # honcho starts each line in a session (and group) of its own: all must be gone
        assert set(children) & live_groups() == set()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        delete_vhost(vhost)
        delete_users(prefix + name for name in ALL)
