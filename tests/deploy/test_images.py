"""What each image's two stages do, without a Docker engine: wheels built from a copy of the
build context (shared/ + that one folder, .dockerignore'd), installed apart from the repo, and
the service started from them the way the image's CMD does (``osac-service --config
/app/config.yml``, here with --migrate-only and the demo seed) on a fresh PostgreSQL database,
as in docker-compose.yml."""
import os
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
import zipfile

import pytest

from osac_shared.registry import SERVICES, db_env_var
from osac_shared.testing import REPO, drop_database, fresh_database

CONTEXT_IGNORE = shutil.ignore_patterns("__pycache__", "*.py[cod]", "*.egg-info", "build",
                                        "dist", "tests", "*.db", ".pytest_cache")


def folder(name):
    return "gateway" if name == "gateway" else os.path.dirname(SERVICES[name][1])


def written(name):
    return os.path.exists(os.path.join(REPO, folder(name), "pyproject.toml"))


ALL = [*SERVICES, "gateway"]
READY = [name for name in ALL if written(name)]


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """{source folder: wheel path}, built like the images' first stage (one build env)."""
    root = tmp_path_factory.mktemp("images")
    context = root / "context"
    sources = ["shared"] + [folder(name) for name in READY]
    for source in sources:
        shutil.copytree(os.path.join(REPO, source), context / source, ignore=CONTEXT_IGNORE)
    build_env = root / "build-env"
    run([sys.executable, "-m", "venv", str(build_env)])
    pip = str(build_env / "bin" / "pip")
    run([pip, "install", "-q", "setuptools>=68,<81", "wheel"])
    out = root / "wheels"
    run([pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out),
         *[str(context / source) for source in sources]], cwd=str(context))
    built = {}
    for source in sources:
        with open(os.path.join(REPO, source, "pyproject.toml"), "rb") as f:
            project = tomllib.load(f)["project"]["name"]
        prefix = re.sub(r"[-_.]+", "_", project) + "-"
        matches = [w for w in os.listdir(out) if w.startswith(prefix)]
        assert len(matches) == 1, (source, os.listdir(out))
        built[source] = out / matches[0]
    return built


@pytest.fixture(scope="module")
def site(wheels, tmp_path_factory):
    """The runtime stage: the wheels installed in a folder of their own (deps from the venv)."""
    target = tmp_path_factory.mktemp("site")
    run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         *map(str, wheels.values())])
    return target


def top_level(wheel):
    with zipfile.ZipFile(wheel) as z:
        return {n.split("/")[0] for n in z.namelist() if ".dist-info/" not in n}


@pytest.mark.parametrize("name", READY)
def test_a_wheel_holds_its_own_package_and_nothing_of_another_department(wheels, name):
    package = "gateway" if name == "gateway" else SERVICES[name][0].split(".")[0]
    assert top_level(wheels[folder(name)]) == {package}


def test_the_shared_wheel_holds_only_the_platform_library(wheels):
    assert top_level(wheels["shared"]) == {"osac_shared"}


@pytest.mark.parametrize("name", [n for n in READY if n != "gateway"])
def test_the_service_migrates_and_seeds_from_the_installed_wheels(site, tmp_path, name):
    module, config = SERVICES[name]
    app = tmp_path / "app"                   # WORKDIR /app, with only config.yml in it
    app.mkdir()
    shutil.copy(os.path.join(REPO, config), app / "config.yml")
    package = module.split(".")[0]
    env = dict(os.environ, PYTHONPATH=str(site), SEED_DEMO="1", PYTHONDONTWRITEBYTECODE="1")
    where = run([sys.executable, "-c", f"import {package}, osac_shared.runner as r; "
                 f"print({package}.__file__); print(r.__file__)"],
                env=env, cwd=str(app)).stdout.split()
    assert all(path.startswith(str(site)) for path in where), where

    db = f"osac_imgtest_{uuid.uuid4().hex[:6]}_{name}"
    env[db_env_var(name)] = fresh_database(db)
    try:
        run([sys.executable, "-m", "osac_shared.runner", "--config", str(app / "config.yml"),
             module, "--migrate-only"], env=env, cwd=str(app))
        check = run([sys.executable, "-c", "import sys; from sqlalchemy import create_engine, "
                     "inspect; print(*inspect(create_engine(sys.argv[1])).get_table_names())",
                     env[db_env_var(name)]], env=env, cwd=str(app))
        tables = set(check.stdout.split())
        assert "alembic_version" in tables and len(tables) >= 2, \
            f"{name}: no tables of its own after migrating ({tables}): is " \
            f"{package}/migrations/versions written and in the package data?"
    finally:
        drop_database(db)


@pytest.mark.skipif("gateway" not in READY, reason="gateway/ not written yet")
def test_the_gateway_wheel_carries_its_templates(site, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(site))
    out = run([sys.executable, "-c", "import gateway, os; d = os.path.dirname(gateway.__file__);"
               " print(d); print(len(os.listdir(os.path.join(d, 'templates'))))"],
              env=env, cwd=str(tmp_path)).stdout.split()
    assert out[0].startswith(str(site)) and int(out[1]) > 0
