"""Write deploy/rabbitmq/definitions.json from the services' own code.

    python deploy/rabbitmq/generate.py            rewrite it
    python deploy/rabbitmq/generate.py --check    exit 1 when the committed file is out of date

One RabbitMQ user per service (named as the service) and one for the gateway, each allowed
exactly what nameko does for it (see README.md): its own ``rpc-<name>`` queue, its own
``<name>.events`` exchange, the ``nameko-rpc`` exchange, its reply queues, and the queues of
the event handlers it declares (``evt-<source>-<type>--<name>.<method>``). Topic permissions
on ``nameko-rpc`` limit which calls it may make -- exactly the ``<service>.<method>`` its
dependencies declare (``osac_shared.calls.declared_calls``: a ``DeclaredRpcProxy``'s methods,
the hall's ``Departments(calls=...)``, sunshine's ``DepartmentRpc(calls=...)``; a plain
nameko ``RpcProxy`` would allow every method of its target), plus its own ``<name>.health``
(its container's health probe) -- and which requests it may bind a queue to (only its own); on
a source's events exchange it may bind only the event types it handles. The handlers and calls
are read from the service classes, so the file follows the code: tests/security fails while
it is stale, and tests/security/test_bus_calls.py checks the declarations against the calls
the source makes.

Passwords are not in the file (empty hashes): apply.sh sets them from the environment.
"""
import importlib
import inspect
import json
import os
import re
import sys

from nameko.events import EventHandler

from osac_shared.calls import ANY_METHOD, declared_calls
from osac_shared.registry import SERVICES

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "definitions.json")
VHOST = "/"
RPC_EXCHANGE = "nameko-rpc"
STANDALONE = "standalone_rpc_proxy"         # the reply-queue name of a standalone proxy
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ANY_CALL = r"[a-z_]+\.[a-z0-9_]+"


def service_class(name):
    module, cls = SERVICES[name][0].split(":")
    return getattr(importlib.import_module(module), cls)


def wiring(cls):
    """-> (event handlers [(source, type, method)], calls {service: {method}} or None for any
    service; ANY_METHOD among a service's methods for any of its methods)."""
    handlers = []
    for attr, member in inspect.getmembers(cls):
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventHandler):
                handlers.append((entrypoint.source_service, entrypoint.event_type, attr))
    return sorted(set(handlers)), declared_calls(cls)


def one_of(names):
    return "^(" + "|".join(names) + ")$"


def group(names):
    return names[0] if len(names) == 1 else "(" + "|".join(names) + ")"


def call_patterns(name, calls):
    """Routing keys for ``calls`` and the service's own health probe: services with the same
    methods share one alternative, ``(a|b)`` dot ``(m|n)``; sorted, so the file is stable."""
    if calls is None:
        return [ANY_CALL]
    calls = {service: set(methods) for service, methods in calls.items()}
    calls.setdefault(name, set()).add("health")
    by_methods = {}
    for service, methods in calls.items():
        key = (r"[a-z0-9_]+",) if ANY_METHOD in methods else tuple(sorted(map(re.escape,
                                                                               methods)))
        by_methods.setdefault(key, []).append(re.escape(service))
    return sorted(rf"{group(sorted(services))}\.{group(list(methods))}"
                  for methods, services in by_methods.items())


def service_user(name, handlers, calls):
    esc = re.escape
    replies = rf"rpc\.reply-({esc(name)}|{STANDALONE})-{UUID}"
    queues = [esc(f"evt-{src}-{typ}--{name}.{method}") for src, typ, method in handlers]
    sources = sorted({src for src, _, _ in handlers})
    source_exchanges = [esc(f"{src}.events") for src in sources]
    own = [esc(f"rpc-{name}"), esc(f"{name}.events"), esc(RPC_EXCHANGE), replies] + queues
    perms = {"configure": one_of(own + source_exchanges), "write": one_of(own),
             "read": one_of([esc(f"rpc-{name}"), esc(RPC_EXCHANGE), replies] + queues
                            + source_exchanges)}
    topics = [{"exchange": RPC_EXCHANGE, "write": one_of([UUID] + call_patterns(name, calls)),
               "read": one_of([rf"{esc(name)}\.\*", UUID])}]
    for src in sources:
        types = sorted({esc(typ) for s, typ, _ in handlers if s == src})
        topics.append({"exchange": f"{src}.events", "write": "^$", "read": one_of(types)})
    return perms, topics


def gateway_user():
    replies = rf"rpc\.reply-{STANDALONE}-{UUID}"
    own = [re.escape(RPC_EXCHANGE), replies]
    perms = {"configure": one_of(own), "write": one_of(own),
             "read": one_of(own + [r"rpc-[a-z_]+"])}        # + passive checks of rpc-<name>
    topics = [{"exchange": RPC_EXCHANGE, "write": one_of([ANY_CALL]), "read": one_of([UUID])}]
    return perms, topics


def definitions(vhost=VHOST):
    users, permissions, topic_permissions = [], [], []
    exchanges = [{"name": RPC_EXCHANGE, "type": "topic"}]
    for name in SERVICES:
        handlers, calls = wiring(service_class(name))
        perms, topics = service_user(name, handlers, calls)
        users.append(name)
        permissions.append({"user": name, **perms})
        topic_permissions += [{"user": name, **t} for t in topics]
        exchanges.append({"name": f"{name}.events", "type": "topic"})
    perms, topics = gateway_user()
    users.append("gateway")
    permissions.append({"user": "gateway", **perms})
    topic_permissions += [{"user": "gateway", **t} for t in topics]
    return {
        "rabbit_version": "3.10.8",
        "vhosts": [{"name": vhost}],
        "users": [{"name": u, "password_hash": "", "hashing_algorithm":
                   "rabbit_password_hashing_sha256", "tags": []} for u in users],
        "permissions": [{"vhost": vhost, **p} for p in permissions],
        "topic_permissions": [{"vhost": vhost, **t} for t in topic_permissions],
        "exchanges": [{"vhost": vhost, "durable": True, "auto_delete": False,
                       "internal": False, "arguments": {}, **e} for e in exchanges],
    }


def render(vhost=VHOST):
    return json.dumps(definitions(vhost), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    text = render()
    if "--check" in argv:
        with open(OUT) as f:
            if f.read() != text:
                print("deploy/rabbitmq/definitions.json is out of date: run "
                      "python deploy/rabbitmq/generate.py", file=sys.stderr)
                return 1
        return 0
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
