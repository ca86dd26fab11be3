"""The deploy files, checked without a Docker engine: docker-compose.yml against the Compose
Specification schema (the copy vendored in check-jsonschema), and our own rules for every
service of the registry: image, health check, start order, database, bus user, Procfile line.
Also: deploy/local/run.sh refuses, in both languages and quickly, when RabbitMQ is absent."""
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
import yaml
from sqlalchemy import create_engine, text

from osac_shared.registry import SERVICES, db_env_var
from osac_shared.testing import PG_BASE, REPO, free_port

ALL = [*SERVICES, "gateway"]
HEALTHY = {"condition": "service_healthy"}
USERS_LOADED = {"condition": "service_completed_successfully"}


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_generator():
    return load_module("deploy_generate", "deploy/generate.py")


defs_tool = load_module("deploy_rabbitmq_defs", "deploy/rabbitmq/defs.py")


def read(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        return f.read()


COMPOSE = yaml.safe_load(read("docker-compose.yml"))


def folder(name):
    return "gateway" if name == "gateway" else os.path.dirname(SERVICES[name][1])


def check_schema(path):
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.compose-spec", path], capture_output=True, text=True,
                          timeout=120)


# ---- the files follow the registry ---------------------------------------------------------
def test_generated_files_are_up_to_date():
    assert load_generator().stale() == [], "run: python deploy/generate.py"


def test_procfile_covers_the_registry():
    lines = dict(line.split(": ", 1) for line in read("deploy/local/Procfile").splitlines())
    assert list(lines) == ALL
    own = {name: f'env AMQP_URI="${{AMQP_URI_{name.upper()}:-$AMQP_URI}}" ' for name in ALL}
    for name, (module, config) in SERVICES.items():
        assert lines[name] == f"{own[name]}osac-service --config {config} {module}"
    assert lines["gateway"].startswith(own["gateway"] + "gunicorn --worker-class gthread "
                                       "--workers 2 --threads 8")
    assert lines["gateway"].endswith("gateway.wsgi:app")


# ---- docker-compose.yml --------------------------------------------------------------------
def test_compose_file_matches_the_compose_specification():
    result = check_schema(os.path.join(REPO, "docker-compose.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize("path, bad_value", [
    (("services", "logistics", "depends_on", "rabbitmq", "condition"), "when_ready"),
    (("services", "gateway", "healthcheck", "intervall"), "15s"),     # a misspelt key
    (("services", "postgres", "restart_policy"), "always"),
])
def test_schema_check_rejects_a_broken_compose_file(tmp_path, path, bad_value):
    broken = yaml.safe_load(read("docker-compose.yml"))
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad_value
    target = tmp_path / "docker-compose.yml"
    target.write_text(yaml.safe_dump(broken, allow_unicode=True))
    result = check_schema(str(target))
    assert result.returncode == 1, result.stdout
    assert "Schema validation errors were encountered" in result.stdout + result.stderr


def test_infrastructure_is_healthchecked():
    rabbit, postgres = COMPOSE["services"]["rabbitmq"], COMPOSE["services"]["postgres"]
    assert rabbit["image"] == "rabbitmq:3.13-management"
    assert rabbit["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert ("./deploy/postgres/init.sql:/docker-entrypoint-initdb.d/10-osac-databases.sql:ro"
            in postgres["volumes"])


@pytest.mark.parametrize("name", ALL)
def test_every_service_is_built_healthchecked_and_ordered(name):
    service = COMPOSE["services"][name]
    assert service["build"]["context"] == "."
    assert service["image"] == f"osac-{name.replace('_', '-')}:dev"   # as in deploy/k8s
    assert service["build"]["dockerfile"] == f"{folder(name)}/Dockerfile"
    assert os.path.isfile(os.path.join(REPO, service["build"]["dockerfile"]))
    assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "osac_shared.healthcheck",
                                              name]
    wanted = ["rabbitmq", "postgres"] + (list(SERVICES) if name == "gateway" else [])
    assert service["depends_on"] == {**{dep: HEALTHY for dep in wanted},
                                     "bus-users": USERS_LOADED}


# ---- the bus: one RabbitMQ user per service ------------------------------------------------
with open(os.path.join(REPO, "deploy", "rabbitmq", "definitions.json")) as _f:
    DEFINED_USERS = [user["name"] for user in json.load(_f)["users"]]
AMQP_URI = re.compile(r"^amqp://(?P<user>\w+):\$\{(?P<var>\w+):-(?P<default>[^}]+)\}"
                      r"@rabbitmq:5672/$")


def test_definitions_have_a_user_for_every_service_and_the_gateway():
    assert sorted(DEFINED_USERS) == sorted(ALL)


@pytest.mark.parametrize("name", ALL)
def test_every_service_is_on_the_bus_as_its_own_user(name):
    """AMQP_URI names the service's own user of definitions.json, with the password variable
    that bus-users loads for that user (and the same local-trial default)."""
    uri = AMQP_URI.match(COMPOSE["services"][name]["environment"]["AMQP_URI"])
    assert uri, COMPOSE["services"][name]["environment"]["AMQP_URI"]
    assert uri["user"] == name and name in DEFINED_USERS
    assert uri["var"] == defs_tool.env_name(name)
    loaded = COMPOSE["services"]["bus-users"]["environment"]
    assert loaded[uri["var"]] == f"${{{uri['var']}:-{uri['default']}}}"


def test_bus_users_loads_the_definitions_through_the_management_api():
    job = COMPOSE["services"]["bus-users"]
    rabbit = COMPOSE["services"]["rabbitmq"]
    assert job["image"] == rabbit["image"] == "rabbitmq:3.13-management"   # it has python3
    assert job["restart"] == "no"
    assert job["depends_on"] == {"rabbitmq": HEALTHY}
    assert "./deploy/rabbitmq:/osac/rabbitmq:ro" in job["volumes"]
    assert job["entrypoint"] == ["bash", "/osac/rabbitmq/apply.sh"]
    env = job["environment"]
    assert env["RABBITMQ_API_URL"] == "http://rabbitmq:15672"
    assert env["RABBITMQ_ADMIN_USER"] == rabbit["environment"]["RABBITMQ_DEFAULT_USER"]
    assert env["RABBITMQ_ADMIN_PASSWORD"] == rabbit["environment"]["RABBITMQ_DEFAULT_PASS"]
    assert env["RABBITMQ_VHOST"] == "/"
    passwords = {key for key in env if key.startswith("RABBITMQ_PASSWORD_")}
    assert passwords == {defs_tool.env_name(user) for user in DEFINED_USERS}
    for key in passwords:           # a local-trial default, never a secret of its own
        assert re.fullmatch(r"\$\{%s:-[a-z_]+-local\}" % key, env[key]), env[key]


@pytest.mark.parametrize("name", ALL)
def test_every_service_has_its_own_postgresql_database(name):
    env = COMPOSE["services"][name]["environment"]
    url = env[db_env_var(name)]
    assert url.startswith("postgresql://osac:") and url.endswith(f"@postgres:5432/osac_{name}")
    created = re.findall(r"^CREATE DATABASE (\w+);$", read("deploy/postgres/init.sql"), re.M)
    assert f"osac_{name}" in created


@pytest.mark.parametrize("name", list(SERVICES))
def test_db_variable_is_the_one_the_service_config_reads(name):
    config = SERVICES[name][1]
    if not os.path.exists(os.path.join(REPO, config)):
        pytest.skip(f"{config} not written yet")
    variables = dict(re.findall(r"^(\w+):\s*\$\{(\w+)[:}]", read(config), re.M))
    assert variables["DB_URL"] == db_env_var(name)
    assert variables["AMQP_URI"] == "AMQP_URI"
    assert db_env_var(name) in COMPOSE["services"][name]["environment"]


def test_gateway_is_published_with_its_settings():
    gateway = COMPOSE["services"]["gateway"]
    assert gateway["ports"] == ["${GATEWAY_PORT:-8000}:8000"]
    assert {"AMQP_URI", "GATEWAY_DB_URL", "SECRET_KEY", "SEED_DEMO",
            "RPC_TIMEOUT"} <= set(gateway["environment"])
    # 2 gunicorn workers: /metrics adds them up only with a directory for their figures
    assert gateway["environment"]["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")


# ---- metrics: every service serves them on METRICS_PORT and Prometheus scrapes it ------------
PROMETHEUS = yaml.safe_load(read("deploy/prometheus/prometheus.yml"))


def scrape_targets(job):
    [config] = [c for c in PROMETHEUS["scrape_configs"] if c["job_name"] == job]
    assert config.get("metrics_path", "/metrics") == "/metrics"
    return {t for static in config["static_configs"] for t in static["targets"]}


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_service_sets_and_exposes_metrics_port(name):
    service = COMPOSE["services"][name]
    port = service["environment"].get("METRICS_PORT")
    assert port and int(port) > 0, f"{name}: METRICS_PORT unset, so no /metrics, no /healthz"
    assert str(port) in [str(p) for p in service.get("expose", [])]
    assert f"{name}:{port}" in scrape_targets("osac-services")


def test_prometheus_scrapes_exactly_the_services_and_the_gateway():
    ports = {name: COMPOSE["services"][name]["environment"]["METRICS_PORT"]
             for name in SERVICES}
    assert scrape_targets("osac-services") == {f"{n}:{p}" for n, p in ports.items()}
    container_port = COMPOSE["services"]["gateway"]["ports"][0].rsplit(":", 1)[1]
    assert scrape_targets("osac-gateway") == {f"gateway:{container_port}"}


def test_init_sql_creates_exactly_the_databases_and_runs_on_postgresql():
    statements = re.findall(r"^CREATE DATABASE (\w+);$", read("deploy/postgres/init.sql"), re.M)
    assert sorted(statements) == sorted(f"osac_{name}" for name in ALL)
    # the same statements on the real server, under names of our own so nothing collides
    prefix = f"osac_deploytest_{uuid.uuid4().hex[:6]}_"
    admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for db in statements:
                conn.execute(text(f"CREATE DATABASE {prefix}{db}"))
            found = conn.execute(text("SELECT count(*) FROM pg_database WHERE datname LIKE "
                                      ":p"), {"p": prefix + "%"}).scalar()
            assert found == len(statements)
    finally:
        with admin.connect() as conn:
            for db in statements:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{prefix}{db}"'))
        admin.dispose()


# ---- Dockerfiles and the build context -----------------------------------------------------
def dockerfile_instructions(path):
    """[(INSTRUCTION, arguments)] with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", read(path))
    rows = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), rest.strip()))
    return rows


@pytest.mark.parametrize("name", ALL)
def test_dockerfile_is_multistage_nonroot_healthchecked_and_self_contained(name):
    own = folder(name)
    rows = dockerfile_instructions(f"{own}/Dockerfile")
    froms = [args for word, args in rows if word == "FROM"]
    assert froms == ["python:3.11-slim AS build", "python:3.11-slim"]
    assert ("USER", "osac") in rows
    assert [i for i, (w, _) in enumerate(rows) if w == "USER"][0] > \
           [i for i, (w, _) in enumerate(rows) if w == "FROM"][1]
    if name != "gateway":      # the health check asks this process on its METRICS_PORT
        assert ("ENV", "METRICS_PORT=9100") in rows and ("EXPOSE", "9100") in rows
    health = [args for word, args in rows if word == "HEALTHCHECK"]
    assert len(health) == 1 and health[0].endswith(
        f'CMD ["python", "-m", "osac_shared.healthcheck", "{name}"]')
    # what the image copies from the context: the pins, shared/, and this one folder only
    for word, args in rows:
        if word == "COPY" and not args.startswith("--from"):
            source = args.split()[0]
            assert source in ("constraints.txt", "shared/") or source.startswith(own + "/"), \
                f"{own}/Dockerfile copies {source}"
    wheel = [args for word, args in rows if word == "RUN" and args.startswith("pip wheel")]
    assert wheel and "-c constraints.txt ./shared ./" + own in wheel[0]
    cmd = [args for word, args in rows if word == "CMD"][-1]
    if name == "gateway":
        assert cmd.startswith('["gunicorn", "--worker-class", "gthread"')
        assert cmd.endswith('"--bind", "0.0.0.0:8000", "gateway.wsgi:app"]')
    else:
        assert cmd == f'["osac-service", "--config", "/app/config.yml", "{SERVICES[name][0]}"]'


def test_dockerignore_keeps_the_context_to_sources():
    patterns = read(".dockerignore").split()
    for must in (".git", ".venv", "var", "test-artifacts", "**/__pycache__", "**/*.egg-info"):
        assert must in patterns
    for needed in ("shared", "services", "gateway", "constraints.txt"):
        assert needed not in patterns


# ---- deploy/local/run.sh -------------------------------------------------------------------
def test_run_sh_says_rabbitmq_is_not_running_and_exits(tmp_path):
    env = dict(os.environ, AMQP_URI=f"amqp://guest:guest@127.0.0.1:{free_port()}/",
               GATEWAY_PORT=str(free_port()))
    started = time.monotonic()
    result = subprocess.run(["bash", os.path.join(REPO, "deploy", "local", "run.sh")],
                            env=env, capture_output=True, text=True, timeout=60,
                            cwd=str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - started < 40      # seconds, even on a loaded machine
    assert "RabbitMQ 没有运行或无法连接" in result.stderr
    assert "RabbitMQ is not running" in result.stderr
    assert "rabbitmq-server -detached" in result.stderr
    assert "AMQP_URI=" in result.stderr
    assert "guest:guest" not in result.stderr        # the password is not shown
    assert result.stdout == ""                        # nothing was started
