"""The pieces of the local run that put each process on the bus as its own RabbitMQ user
(deploy/local/bus_users.py, the Procfile's AMQP_URI_<NAME>), and run.sh's fall-back to one
shared user, with a warning in both languages, where it cannot make the users.
The whole run under own users, on the real broker, is tests/deploy/test_run_local.py."""
import importlib.util
import os
import secrets
import stat
import subprocess
import urllib.parse

import amqp
import pytest
from kombu.utils.url import parse_url

from osac_shared.registry import SERVICES
from osac_shared.testing import AMQP_BASE, MGMT, REPO, create_vhost, delete_vhost, free_port


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bus_users = load("local_bus_users", "deploy/local/bus_users.py")
defs_tool = load("rabbitmq_defs", "deploy/rabbitmq/defs.py")
bus_checks = load("bus_permission_checks", "tests/security/test_bus_permissions.py")

ALL = [*SERVICES, "gateway"]


def test_the_users_are_those_of_the_definitions():
    assert sorted(bus_users.users()) == sorted(ALL)


def test_passwords_are_made_once_private_and_kept(tmp_path):
    folder = tmp_path / "secrets" / "rabbitmq"
    first = bus_users.passwords(str(folder), ALL)
    assert set(first) == set(ALL)
    assert len(set(first.values())) == len(ALL)               # one random password each
    assert all(len(password) >= 32 for password in first.values())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for user in ALL:
        assert stat.S_IMODE((folder / user).stat().st_mode) == 0o600
    assert bus_users.passwords(str(folder), ALL) == first     # the next run keeps them


@pytest.mark.parametrize("vhost", ["osac-local", "/", "a/b c"])
def test_own_uri_is_read_back_by_kombu_as_that_user_and_vhost(vhost):
    uri = bus_users.own_uri("amqp://guest:guest@127.0.0.1:5673/x", "t1-student_affairs",
                            "p@ss:w/rd", vhost)
    assert parse_url(uri) == {"transport": "amqp", "hostname": "127.0.0.1", "port": 5673,
                              "userid": "t1-student_affairs", "password": "p@ss:w/rd",
                              "virtual_host": vhost}


@pytest.mark.parametrize("uri, local, vhost", [
    ("amqp://guest:guest@127.0.0.1:5672/", True, "/"),
    ("amqp://guest:guest@localhost/osac-test", True, "osac-test"),
    ("amqp://u:p@[::1]:5672/%2F", True, "/"),
    ("amqp://aid:secret@mq.example.edu:5672/osac", False, "osac"),
    ("amqp://u:p@10.0.0.7", False, "/"),
])
def test_which_broker_is_local_and_its_vhost(uri, local, vhost):
    assert bus_users.is_local(uri) is local
    assert bus_users.vhost(uri) == vhost


def probe_procfile(tmp_path):
    """The real Procfile's gateway and finance lines, each starting a probe that prints the
    AMQP_URI it was given and connects with it, instead of the real command."""
    probe = ('python -c "import os, sys; from osac_shared.outbox import broker_reachable; '
             "uri = os.environ['AMQP_URI']; "
             "print('PROBE', sys.argv[1], uri, broker_reachable(uri, timeout=3), flush=True)\"")
    lines = []
    with open(os.path.join(REPO, "deploy", "local", "Procfile")) as f:
        for line in f:
            name, command = line.split(": ", 1)
            if name in ("finance", "gateway"):
                env = command[:command.index('" ') + 1]       # env AMQP_URI="${...}"
                lines.append(f"{name}: {env} {probe} {name}; sleep 8\n")
    path = tmp_path / "Procfile"
    path.write_text("".join(lines))
    return str(path)


def test_without_rabbitmqctl_all_share_the_given_uri_and_are_warned(tmp_path):
    """A broker this machine cannot administer (no rabbitmqctl on the PATH, as on a laptop
    pointed at the university's RabbitMQ): every process gets AMQP_URI, and run.sh says so."""
    vhost = f"osac-test-shared-{os.getpid()}"
    create_vhost(vhost)
    uri = f"{AMQP_BASE}/{vhost}"
    venv_bin = os.path.join(REPO, ".venv", "bin")
    env = dict(os.environ, AMQP_URI=uri, GATEWAY_PORT=str(free_port()), READY_TIMEOUT="1",
               PROCFILE=probe_procfile(tmp_path), RABBITMQ_SECRETS_DIR=str(tmp_path / "s"),
               PATH=os.pathsep.join([venv_bin, "/usr/local/bin", "/usr/bin", "/bin"]))
    assert subprocess.run(["sh", "-c", "command -v rabbitmqctl"], env=env,
                          capture_output=True).returncode != 0
    try:
        # honcho stops both when the first probe's `sleep` ends
        result = subprocess.run(["bash", os.path.join(REPO, "deploy", "local", "run.sh")],
                                env=env, capture_output=True, text=True, timeout=120)
    finally:
        delete_vhost(vhost)
    assert "所有服务共用一个 RabbitMQ 用户" in result.stderr
    assert "every service shares one RabbitMQ user" in result.stderr
    assert "guest:guest" not in result.stderr                 # the password is not shown
    probes = [line.split("PROBE ", 1)[1].split() for line in result.stdout.splitlines()
              if "PROBE " in line]
    assert sorted(name for name, _, _ in probes) == ["finance", "gateway"]
    assert all(given == uri and connected == "True" for _, given, connected in probes)
    assert not (tmp_path / "s").exists()                      # no users, so no passwords


@pytest.mark.skipif(not MGMT, reason="set OSAC_TEST_RABBIT_MGMT (e.g. http://127.0.0.1:15672) "
                                     "to a broker's management API")
def test_apply_sh_loads_the_users_through_the_management_api(tmp_path):
    """What compose's bus-users does: apply.sh POSTs the definitions to the management API as
    the admin (python3 only); the users then log in and are kept to their part of the bus."""
    tag = f"tapi{os.getpid()}-"
    vhost = f"osac-test-api-{os.getpid()}"
    base = urllib.parse.urlsplit(AMQP_BASE)
    passwords = {user: secrets.token_urlsafe(16) for user in ALL}
    env = dict(os.environ, RABBITMQ_API_URL=MGMT, RABBITMQ_ADMIN_USER=base.username,
               RABBITMQ_ADMIN_PASSWORD=base.password, RABBITMQ_VHOST=vhost,
               RABBITMQ_USER_PREFIX=tag,
               **{defs_tool.env_name(user): password for user, password in passwords.items()})
    try:
        result = subprocess.run(["bash", os.path.join(REPO, "deploy", "rabbitmq", "apply.sh")],
                                env=env, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr
        with amqp.Connection(f"{base.hostname}:{base.port or 5672}", userid=tag + "finance",
                             password=passwords["finance"], virtual_host=vhost,
                             confirm_publish=True, connect_timeout=5) as finance:
            bus_checks.publish(finance, "finance.events", "case.submitted")
            assert bus_checks.refused(
                finance, lambda c: bus_checks.publish(c, "aid.events", "aid.awarded"))
    finally:
        delete_vhost(vhost)
        for user in ALL:
            subprocess.run(["rabbitmqctl", "-q", "delete_user", tag + user],
                           capture_output=True, timeout=60)
