"""Each service's RabbitMQ user may make exactly the calls its code makes: no more, no fewer.

The calls are read from each service's source (``ast``, not from the declarations under test):

- ``self.<proxy>.<method>(...)`` and ``self.<proxy>.<method>.call_async(...)``, where
  ``<proxy>`` is one of the class's ``RpcProxy`` dependencies (its target is the service);
- ``self.<helper>.call("<service>", "<method>", ...)``, the "call any department" helpers
  (the hall's ``Departments``, sunshine's ``DepartmentRpc``). A service that is not a literal
  is a department: the hall asks the case's department (checked against
  ``registry.DEPARTMENTS``), sunshine the form's (``OneOf(DEPARTMENTS)``), so it stands for
  each of ``DEPARTMENTS``;
- the service's own ``<name>.health``, which its container's probe calls as the service's
  user (``osac_shared.healthcheck.probe_rpc``).

Which dependencies can call is told by what they are, not by what they declare: an
``RpcProxy`` or an extension with a ``ReplyListener`` (a call needs somewhere for its reply).
Anything else that could reach another service -- nameko's proxies used directly, a calling
dependency passed on, reached other than through ``self`` or used in another way, a method
not written literally -- fails the scan, so a new kind of call cannot slip past it. Then (1)
the declarations (``osac_shared.calls.declared_calls``) and (2) the write pattern on
``nameko-rpc`` of the service's user in deploy/rabbitmq/definitions.json, tried on every RPC
of every service (and a made-up method of each), must be exactly the calls found.
"""
import ast
import glob
import inspect
import json
import os
import re

import pytest
from nameko.extensions import Extension
from nameko.rpc import ReplyListener, Rpc, RpcProxy

from osac_shared import calls as declared
from osac_shared.registry import DEPARTMENTS, SERVICES
from osac_shared.testing import REPO

DEFINITIONS = os.path.join(REPO, "deploy", "rabbitmq", "definitions.json")
# the modules that implement a call helper (they use nameko's proxies themselves)
HELPER_MODULES = {os.path.join(REPO, path) for path in (
    "shared/osac_shared/calls.py", "services/hall/hall/dependencies.py",
    "services/sunshine/sunshine/dependencies.py")}
# names that reach the bus some other way than through a dependency the scan follows
OTHER_WAYS = {"ServiceProxy", "ClusterRpcProxy", "ServiceRpcProxy", "MethodProxy",
              "ReplyListener", "call_async", "standalone"}
ANY_DEPARTMENT = "<department>"


def service_class(name):
    import importlib
    module, cls = SERVICES[name][0].split(":")
    return getattr(importlib.import_module(module), cls)


def rpc_methods(cls):
    return {attr for attr, member in inspect.getmembers(cls)
            for entrypoint in getattr(member, "nameko_entrypoints", ())
            if isinstance(entrypoint, Rpc)}


def sources(name, cls):
    """The service package's modules and those of its classes' bases in this repository."""
    package = os.path.join(REPO, os.path.dirname(SERVICES[name][1]), name)
    files = {path for path in glob.glob(os.path.join(package, "**", "*.py"), recursive=True)
             if f"{os.sep}migrations{os.sep}" not in path}
    for klass in cls.__mro__:
        path = inspect.getsourcefile(klass) if klass.__module__ != "builtins" else None
        if path and os.path.abspath(path).startswith(REPO + os.sep) and ".venv" not in path:
            files.add(os.path.abspath(path))
    return sorted(files)


def scan(name):
    """(calls {(service, method)}, problems [text]) found in service ``name``'s source."""
    cls = service_class(name)
    members = declared.vars_of(cls)
    proxies = {attr: m.target_service for attr, m in members.items()
               if isinstance(m, RpcProxy) and m.target_service}
    helpers = {attr for attr, m in members.items() if attr not in proxies and can_call(m)}
    found, problems = set(), []
    for path in sources(name, cls):
        where = os.path.relpath(path, REPO)
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if path not in HELPER_MODULES:
                word = node.id if isinstance(node, ast.Name) else \
                    node.attr if isinstance(node, ast.Attribute) else None
                if word in OTHER_WAYS and not via_proxy(node, proxies, parents):
                    problems.append(f"{where}:{node.lineno}: {word} -- a call the scan "
                                    "does not follow")
            if not (isinstance(node, ast.Attribute) and node.attr in set(proxies) | helpers):
                continue
            attr, parent = node.attr, parents.get(node)
            if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                problems.append(f"{where}:{node.lineno}: .{attr} reached other than as "
                                f"self.{attr}")
            elif attr in proxies and isinstance(parent, ast.Attribute):
                found.add((proxies[attr], parent.attr))
            elif attr in proxies:
                problems.append(f"{where}:{node.lineno}: self.{attr} used other than as "
                                f"self.{attr}.<method>")
            else:
                call = parents.get(parent)
                if not (isinstance(parent, ast.Attribute) and parent.attr == "call"
                        and isinstance(call, ast.Call) and call.func is parent
                        and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant)):
                    problems.append(f"{where}:{node.lineno}: self.{attr} used other than as "
                                    f'self.{attr}.call(<service>, "<method>", ...)')
                    continue
                target = call.args[0]
                service = target.value if isinstance(target, ast.Constant) else ANY_DEPARTMENT
                found.add((service, call.args[1].value))
    calls = set()
    for service, method in found:
        targets = DEPARTMENTS if service == ANY_DEPARTMENT else (service,)
        calls |= {(t, method) for t in targets}
    return calls, problems


def can_call(extension):
    """An RpcProxy, or an extension that listens for RPC replies (directly or in a part)."""
    if not isinstance(extension, Extension):
        return False
    if isinstance(extension, (RpcProxy, ReplyListener)):
        return True
    parts = declared.vars_of(type(extension)) | vars(extension)
    return any(isinstance(part, ReplyListener) for part in parts.values())


def via_proxy(node, proxies, parents):
    """``self.<proxy>.<method>.call_async``: the proxy pattern the scan already follows."""
    if not (isinstance(node, ast.Attribute) and node.attr == "call_async"):
        return False
    method = node.value
    return (isinstance(method, ast.Attribute) and isinstance(method.value, ast.Attribute)
            and isinstance(method.value.value, ast.Name) and method.value.value.id == "self"
            and method.value.attr in proxies)


def test_the_container_probe_calls_the_services_own_health():
    """Why every user may publish its own ``<name>.health``."""
    source = inspect.getsource(__import__("osac_shared.healthcheck").healthcheck.probe_rpc)
    assert "getattr(rpc, name).health()" in source


SCANNED = {name: scan(name) for name in SERVICES}
ALL_RPCS = {name: rpc_methods(service_class(name)) for name in SERVICES}


@pytest.mark.parametrize("name", SERVICES)
def test_the_scan_follows_every_call(name):
    calls, problems = SCANNED[name]
    assert problems == []
    unknown = {f"{s}.{m}" for s, m in calls if m not in ALL_RPCS.get(s, ())}
    assert not unknown, f"{name} calls RPCs that do not exist: {sorted(unknown)}"


def test_the_calls_the_scan_knows_of():
    """The scan finds what the brief of each service says it calls (a guard on the scan)."""
    assert SCANNED["student_affairs"][0] == {("security", "activity_approval_status")}
    assert SCANNED["hall"][0] == {("sla", "report")} | {(d, "get_case") for d in DEPARTMENTS}
    assert SCANNED["sunshine"][0] == {(d, "get_case") for d in DEPARTMENTS}
    assert {n for n in SERVICES if SCANNED[n][0]} == {"student_affairs", "hall", "sunshine"}


@pytest.mark.parametrize("name", SERVICES)
def test_the_declarations_are_the_calls_made(name):
    calls = declared.declared_calls(service_class(name))
    assert calls is not None, f"{name} has a dependency that may call any service"
    pairs = {(s, m) for s, methods in calls.items() for m in methods}
    made = SCANNED[name][0]
    assert not {p for p in pairs if p[1] == declared.ANY_METHOD}, \
        f"{name}: a plain RpcProxy allows every method; use DeclaredRpcProxy(calls=...)"
    assert sorted(pairs - made) == [], f"{name} declares calls it never makes"
    assert sorted(made - pairs) == [], f"{name} makes calls it does not declare"


with open(DEFINITIONS, encoding="utf-8") as _f:
    TOPICS = {(t["user"], t["exchange"]): t for t in json.load(_f)["topic_permissions"]}
ROUTING_KEYS = {f"{service}.{method}" for service, methods in ALL_RPCS.items()
                for method in methods | {"no_such_method"}}


@pytest.mark.parametrize("name", SERVICES)
def test_the_user_may_publish_exactly_those_calls(name):
    write = TOPICS[(name, "nameko-rpc")]["write"]
    allowed = {key for key in ROUTING_KEYS if re.fullmatch(write, key)}
    expected = {f"{s}.{m}" for s, m in SCANNED[name][0]} | {f"{name}.health"}
    assert sorted(allowed - expected) == [], f"{name}'s user may make calls it never makes"
    assert sorted(expected - allowed) == [], f"{name}'s user may not make calls it makes"
    assert re.fullmatch(write, "0b0e4c1e-8d3a-4f51-9a1c-2b7c9d3e5f60")       # its replies


def test_the_gateway_may_call_every_rpc():
    write = TOPICS[("gateway", "nameko-rpc")]["write"]
    assert all(re.fullmatch(write, key) for key in ROUTING_KEYS)


@pytest.mark.parametrize("calls, problem", [
    ({"sla": []}, "must name each method"),
    ({"sla": ["*"]}, "must name each method"),
    ({"sla": ["report.x"]}, "must name each method"),
    ({"": ["report"]}, "must name each method"),
])
def test_a_declaration_names_each_method(calls, problem):
    with pytest.raises(ValueError, match=problem):
        declared.normalise(calls)


@pytest.mark.parametrize("service, method, ok", [
    ("sla", "report", True),
    ("logistics", "get_case", True),
    ("sla", "tick", False),
    ("logistics", "list_cases", False),
    ("finance", "pay", False),
])
def test_an_undeclared_call_is_refused_before_it_is_sent(service, method, ok):
    calls = declared.normalise({"sla": ["report"], **declared.each(DEPARTMENTS, "get_case")})
    if ok:
        declared.check(calls, service, method)
    else:
        with pytest.raises(declared.UndeclaredCall, match=rf"{service}\.{method} is not"):
            declared.check(calls, service, method)
