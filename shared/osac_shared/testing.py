"""Test harness: run the real platform (service processes, gateway under gunicorn) on the real
RabbitMQ, in a vhost of its own, with a fresh PostgreSQL database per service.

    with Platform(["logistics", "sla"]) as p:
        with p.rpc(actor={"id": "s1", "role": "student"}) as rpc:
            rpc.logistics.submit_case(...)

Every process of a platform is on the bus as its own RabbitMQ user, as under ``make run`` and
compose: deploy/rabbitmq/definitions.json is loaded into the platform's vhost (``BusUsers``:
user names prefixed with the vhost's name, random passwords). The harness's own connections
(``Platform.rpc``, ``wait_healthy``, ``amqp_uri``) are the broker's admin user (guest).

Environment: ``OSAC_TEST_AMQP`` (default amqp://guest:guest@127.0.0.1:5672) and
``OSAC_TEST_PG`` (default postgresql://postgres@127.0.0.1:5432).
"""
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from contextlib import contextmanager

import amqp
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from .registry import SERVICES, db_env_var

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AMQP_BASE = os.environ.get("OSAC_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672")
PG_BASE = os.environ.get("OSAC_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
MGMT = os.environ.get("OSAC_TEST_RABBIT_MGMT", "")
ARTIFACTS = os.path.join(REPO, "test-artifacts")
RABBITMQ_DEPLOY = os.path.join(REPO, "deploy", "rabbitmq")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                          text=True, timeout=60)


def create_vhost(vhost):
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")


def delete_vhost(vhost):
    try:
        rabbitmqctl("delete_vhost", vhost)
    except Exception:
        pass


def delete_users(names):
    """Delete these RabbitMQ users (those missing are skipped) in ONE ``rabbitmqctl eval``:
    each CLI call starts an Erlang VM (~0.3 s of CPU), one per user would add seconds to
    every platform's stop. If eval is refused, one ``delete_user`` each, all at once."""
    names = list(names)
    users = ",".join("<<%s>>" % json.dumps(n) for n in names)
    expr = (f"[catch rabbit_auth_backend_internal:delete_user(U, <<\"osac-test\">>) "
            f"|| U <- [{users}]], ok.")
    try:
        rabbitmqctl("eval", expr)
    except Exception:
        deleting = [subprocess.Popen(["rabbitmqctl", "-q", "delete_user", n],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for n in names]
        for proc in deleting:
            proc.wait(120)


def rabbitmq_defs_tool():
    """deploy/rabbitmq/defs.py (what apply.sh runs), loaded from its file."""
    spec = importlib.util.spec_from_file_location("osac_rabbitmq_defs",
                                                  os.path.join(RABBITMQ_DEPLOY, "defs.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BusUsers:
    """The users of deploy/rabbitmq/definitions.json on one vhost, as apply.sh loads them:
    defs.py's ``retarget`` (names prefixed with ``prefix``, a random password each, stored as
    RabbitMQ's salted hash) through ``rabbitmqctl import_definitions`` on standard input. The
    same import creates the vhost and gives the harness's admin user (``AMQP_BASE``'s, guest)
    every permission on it. ``delete()`` removes the users (deleting a vhost does not)."""

    def __init__(self, vhost, prefix, definitions=None):
        self.vhost, self.prefix = vhost, prefix
        self.definitions = definitions or os.path.join(RABBITMQ_DEPLOY, "definitions.json")
        with open(self.definitions) as f:
            self.defs = json.load(f)
        self.passwords = {u["name"]: secrets.token_urlsafe(18) for u in self.defs["users"]}
        self.loaded = False

    def user(self, name):
        """The broker's name for process ``name``'s user."""
        if name not in self.passwords:
            raise KeyError(f"{name} has no user in {self.definitions}")
        return self.prefix + name

    def permissions(self, name):
        """(configure, write, read) of ``name``'s user in the definitions (to restore them)."""
        row = next(p for p in self.defs["permissions"] if p["user"] == name)
        return row["configure"], row["write"], row["read"]

    def load(self):
        ready = rabbitmq_defs_tool().retarget(self.defs, self.vhost, self.prefix, self.passwords)
        admin = urllib.parse.unquote(urllib.parse.urlsplit(AMQP_BASE).username or "guest")
        ready["permissions"].append({"user": admin, "vhost": self.vhost, "configure": ".*",
                                     "write": ".*", "read": ".*"})
        self.loaded = True          # from here on delete() has something to do
        subprocess.run(["rabbitmqctl", "-q", "import_definitions"], input=json.dumps(ready),
                       text=True, check=True, capture_output=True, timeout=60)

    def delete(self):
        if not self.loaded:
            return
        delete_users([self.prefix + name for name in self.passwords])
        self.loaded = False

    def uri(self, name):
        """An AMQP URI to the platform's vhost as process ``name``'s user."""
        base = urllib.parse.urlsplit(AMQP_BASE)
        quote = lambda text: urllib.parse.quote(text, safe="")     # noqa: E731
        host = f"[{base.hostname}]" if ":" in base.hostname else base.hostname
        return (f"{base.scheme}://{quote(self.user(name))}:{quote(self.passwords[name])}@"
                f"{host}:{base.port or 5672}/{quote(self.vhost)}")

    def connect(self, name):
        """An open ``amqp.Connection`` as process ``name``'s user (publish confirms on, so a
        refused publish raises ``AccessRefused``)."""
        base = urllib.parse.urlsplit(AMQP_BASE)
        conn = amqp.Connection(f"{base.hostname}:{base.port or 5672}", userid=self.user(name),
                               password=self.passwords[name], virtual_host=self.vhost,
                               confirm_publish=True, connect_timeout=5)
        conn.connect()
        return conn


def fresh_database(name):
    """Drop and create database ``name``; returns its SQLAlchemy URL."""
    admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_BASE}/{name}"


def drop_database(name):
    admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Process:
    """One child process with its log file; start/stop/kill/restart."""

    def __init__(self, name, argv, env, log_path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, log_path
        self.proc = None

    def start(self):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, cwd=REPO,
                                     start_new_session=True)
        log.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        if not self.alive():
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except FileNotFoundError:
            return ""


def eventually(probe, timeout=30, interval=0.2):
    """Call ``probe()`` until it returns something truthy or ``timeout`` seconds pass; return
    its last value (the caller asserts on it, so a failure shows what was seen)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@contextmanager
def platforms():
    """Yield ``start(services, **kwargs)``, which starts a :class:`Platform` and remembers it;
    every platform started is stopped (processes, vhost, databases) when the block ends.

    pytest fixtures wrap this at module or package scope. Package scope needs the folder to be
    a package (an ``__init__.py``) and the fixture defined in that folder's conftest: a
    package-scoped fixture outside a package lives as long as the whole session, and a
    session of platforms left running exhausts PostgreSQL's connections."""
    started = []

    def start(services, **kwargs):
        plat = Platform(services, **kwargs)
        started.append(plat)
        plat.start()
        return plat
    try:
        yield start
    finally:
        for plat in reversed(started):
            plat.stop()


class Platform:
    def __init__(self, services, gateway=False, tag=None, clock_file=None, extra_env=None,
                 gateway_workers=2):
        self.services = list(services)
        self.tag = tag or uuid.uuid4().hex[:8]
        self.vhost = f"osac-test-{self.tag}"
        self.amqp_uri = f"{AMQP_BASE}/{urllib.parse.quote(self.vhost, safe='')}"   # admin's
        self.bus = BusUsers(self.vhost, prefix=f"{self.vhost}-")
        self.clock_file = clock_file
        self.extra_env = dict(extra_env or {})
        self.want_gateway = gateway
        self.gateway_workers = gateway_workers
        self.processes = {}
        self.db_urls = {}
        self.gateway_url = None
        self.log_dir = os.path.join(ARTIFACTS, "logs", self.tag)

    # -- environment -------------------------------------------------------------------
    def env(self, user=None):
        """The environment of a platform process; ``user`` (a service's name or "gateway")
        puts it on the bus as that process's own user, else as the harness's admin."""
        env = dict(os.environ)
        env.update(AMQP_URI=self.bus.uri(user) if user else self.amqp_uri,
                   PYTHONUNBUFFERED="1", OUTBOX_INTERVAL="0.2")
        # a test platform keeps few idle database connections per process (see db.make_engine)
        env.setdefault("DB_POOL_SIZE", "2")
        if self.clock_file:
            env["CLOCK_FILE"] = self.clock_file
        env.update({db_env_var(n): url for n, url in self.db_urls.items()})
        env.update(self.extra_env)
        return env

    def db_url(self, name):
        return self.db_urls[name]

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        """Start everything; when something does not come up, stop what did and raise."""
        try:
            self.bus.load()                     # the vhost and every process's own user
            for name in self.services + (["gateway"] if self.want_gateway else []):
                self.db_urls[name] = fresh_database(f"osac_{self.tag}_{name}")
            for name in self.services:
                self.start_service(name, wait=False)
            for name in self.services:
                self.wait_healthy(name)
            if self.want_gateway:
                self.start_gateway()
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for proc in self.processes.values():
            proc.stop()
        self.bus.delete()
        delete_vhost(self.vhost)
        if os.environ.get("OSAC_KEEP_TEST_DBS") != "1":
            for name in self.db_urls:
                try:
                    drop_database(f"osac_{self.tag}_{name}")
                except Exception:
                    pass

    def service_process(self, name):
        module, config = SERVICES[name]
        argv = [sys.executable, "-m", "osac_shared.runner", "--config",
                os.path.join(REPO, config), module]
        return Process(name, argv, self.env(name), os.path.join(self.log_dir, f"{name}.log"))

    def start_service(self, name, wait=True):
        proc = self.service_process(name)
        proc.start()
        self.processes[name] = proc
        if wait:
            self.wait_healthy(name)
        return proc

    def restart_service(self, name, kill=False):
        proc = self.processes[name]
        proc.kill() if kill else proc.stop()
        return self.start_service(name)

    def wait_healthy(self, name, timeout=60):
        deadline = time.time() + timeout
        proc = self.processes[name]
        last = None
        while time.time() < deadline:
            if not proc.alive():
                raise RuntimeError(f"service {name} exited:\n{proc.log_tail()}")
            try:
                with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=2) as rpc:
                    if getattr(rpc, name).health().get("status") == "ok":
                        return
            except Exception as exc:   # not up yet
                last = exc
            time.sleep(0.3)
        raise RuntimeError(f"service {name} not healthy in {timeout}s ({last}):\n"
                           f"{proc.log_tail()}")

    def start_gateway(self, timeout=60):
        port = free_port()
        env = self.env("gateway")
        env.update(GATEWAY_DB_URL=self.db_urls["gateway"], SEED_DEMO="1",
                   SECRET_KEY="test-secret", RPC_TIMEOUT=env.get("RPC_TIMEOUT", "8"))
        argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                "--worker-class", "gthread", "--workers", str(self.gateway_workers),
                "--threads", "8", "--timeout", "60", "--no-control-socket", "gateway.wsgi:app"]
        proc = Process("gateway", argv, env, os.path.join(self.log_dir, "gateway.log"))
        proc.start()
        self.processes["gateway"] = proc
        self.gateway_url = f"http://127.0.0.1:{port}"
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not proc.alive():
                raise RuntimeError(f"gateway exited:\n{proc.log_tail()}")
            try:
                if requests.get(self.gateway_url + "/healthz", timeout=2).status_code < 500:
                    return self.gateway_url
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gateway not up in {timeout}s:\n{proc.log_tail()}")

    # -- calling -----------------------------------------------------------------------
    @contextmanager
    def rpc(self, actor=None, timeout=10):
        data = {"actor": actor} if actor else {}
        with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=timeout,
                             context_data=data) as proxy:
            yield proxy

    def set_time(self, when):
        """Move every service that reads CLOCK_FILE to ``when`` (aware datetime)."""
        with open(self.clock_file, "w") as f:
            f.write(when.isoformat())


ACTORS = {
    "student": {"id": "2026000001", "role": "student", "name": "张三"},
    "student2": {"id": "2026000002", "role": "student", "name": "李四"},
    "director": {"id": "director", "role": "director", "name": "王主任"},
}


def staff(department, post="b_post"):
    return {"id": f"{department}_{'a' if post == 'a_post' else 'b'}", "role": post,
            "department": department, "name": f"{department} {post}"}


def login_session(base_url, username, password="demo1234", timeout=15):
    """A ``requests.Session`` logged in to the gateway as ``username`` that sends the
    double-submit CSRF header (the ``csrf_token`` cookie's value) on every request."""
    session = requests.Session()
    r = session.post(f"{base_url}/api/login", json={"username": username, "password": password},
                     timeout=timeout)
    if r.status_code != 200:
        raise AssertionError(f"login as {username} failed: {r.status_code} {r.text}")
    session.headers["X-CSRF-Token"] = session.cookies.get("csrf_token", "")
    return session
