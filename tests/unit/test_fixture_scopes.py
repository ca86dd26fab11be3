"""A platform is a dozen processes holding PostgreSQL connections. A package-scoped fixture
lives only as long as its package if its conftest sits in a folder with ``__init__.py``;
anywhere else pytest keeps it for the whole session, platforms pile up and PostgreSQL runs
out of connections ("sorry, too many clients already"). This keeps every package-scoped
fixture inside a package."""
import ast
import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = {".venv", ".git", "node_modules", "test-artifacts", "var"}


def conftests():
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in SKIP]
        if "conftest.py" in files:
            yield os.path.join(root, "conftest.py")


def package_scoped_fixtures(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and any(
                        k.arg == "scope" and getattr(k.value, "value", None) == "package"
                        for k in dec.keywords):
                    yield node.name


CASES = [(os.path.relpath(p, REPO), name) for p in conftests()
         for name in package_scoped_fixtures(p)]


def test_the_shared_platform_suites_are_found():
    folders = {os.path.dirname(path) for path, _ in CASES}
    assert {"tests/e2e", "tests/browser", "tests/security"} <= folders


@pytest.mark.parametrize("conftest,fixture", CASES)
def test_a_package_scoped_fixture_lives_in_a_package(conftest, fixture):
    folder = os.path.dirname(os.path.join(REPO, conftest))
    assert os.path.exists(os.path.join(folder, "__init__.py")), (
        f"{conftest}: fixture {fixture!r} is package-scoped but {os.path.dirname(conftest)!r} "
        f"has no __init__.py, so it would live for the whole test session")
