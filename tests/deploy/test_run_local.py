"""``deploy/local/run.sh`` end to end, as ``make run`` uses it: every service of the registry
and the gateway under honcho, each on its own SQLite file, on a RabbitMQ vhost of its own;
the banner with the URL and the demo accounts appears; Ctrl-C (SIGINT) stops everything."""
import importlib.metadata
import os
import queue
import re
import signal
import subprocess
import threading
import time

import pytest
import requests

from osac_shared.registry import DEPARTMENTS, SERVICES, db_env_var
from osac_shared.testing import AMQP_BASE, ARTIFACTS, REPO, create_vhost, delete_vhost, free_port


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


MISSING = missing_packages()


@pytest.mark.skipif(bool(MISSING), reason=f"not installed yet: {', '.join(MISSING)}")
def test_make_run_starts_everything_prints_the_accounts_and_stops_on_ctrl_c(tmp_path):
    vhost = f"osac-test-run-{os.getpid()}"
    create_vhost(vhost)
    port = free_port()
    databases = {db_env_var(name): f"sqlite:///{tmp_path}/{name}.db" for name in SERVICES}
    env = dict(os.environ, AMQP_URI=f"{AMQP_BASE}/{vhost}", GATEWAY_PORT=str(port),
               READY_TIMEOUT="240", GATEWAY_DB_URL=f"sqlite:///{tmp_path}/gateway.db",
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
        assert "demo1234" in output and "2026000001" in output and "2026000002" in output
        for account in ["director", "desk"] + [f"{d}_b / {d}_a" for d in DEPARTMENTS]:
            assert account in output
        assert "still starting" not in output
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()
        assert all(health["dependencies"][name] == "up" for name in SERVICES)
        for name in SERVICES:      # each service migrated its own SQLite file
            assert (tmp_path / f"{name}.db").exists()

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
