"""Which methods of which other services a service calls, declared where it calls them.

Every dependency through which a service calls another declares its calls, and refuses any
call it did not declare (``UndeclaredCall``, before anything is sent):

    security = DeclaredRpcProxy("security", calls=["activity_approval_status"])
    departments = Departments(calls={"sla": ["report"], **each(DEPARTMENTS, "get_case")})

``declared_calls(cls)`` collects them from a service class; deploy/rabbitmq/generate.py turns
them into the service's RabbitMQ topic permissions on ``nameko-rpc`` (it may publish exactly
``<service>.<method>`` for those calls, plus its own ``<name>.health`` for its container's
health probe), so a call the code does not declare is refused by the broker too
(tests/security/test_bus_calls.py checks the declarations against the calls in the source).
"""
from nameko.extensions import Extension
from nameko.rpc import RpcProxy


class UndeclaredCall(Exception):
    """A call its dependency does not declare: the bus would refuse it (ACCESS_REFUSED)."""

    def __init__(self, service, method, declared):
        allowed = ", ".join(f"{s}.{m}" for s in sorted(declared) for m in sorted(declared[s]))
        super().__init__(f"{service}.{method} is not declared in this dependency's calls "
                         f"({allowed or 'none'}): add it there and run "
                         f"python deploy/rabbitmq/generate.py")
        self.service, self.method = service, method


def each(services, *methods):
    """``{service: methods}`` for every one of ``services``: the same calls to each."""
    return {service: tuple(methods) for service in services}


def normalise(calls):
    """``{service: [method, ...]}`` -> ``{service: frozenset(methods)}``; refuses empty or
    wildcard declarations (a declaration names exactly what is called)."""
    out = {}
    for service, methods in dict(calls).items():
        methods = (methods,) if isinstance(methods, str) else tuple(methods)
        if not service or not methods or any(not m or "*" in m or "." in m for m in methods):
            raise ValueError(f"calls to {service!r} must name each method: {methods!r}")
        out[service] = frozenset(methods)
    return out


def check(calls, service, method):
    if method not in calls.get(service, ()):
        raise UndeclaredCall(service, method, calls)


class _DeclaredServiceProxy:
    """The nameko ServiceProxy, for the declared methods only."""

    def __init__(self, proxy, service, calls):
        self._proxy, self._service, self._calls = proxy, service, calls

    def __getattr__(self, method):
        check(self._calls, self._service, method)
        return getattr(self._proxy, method)


class DeclaredRpcProxy(RpcProxy):
    """nameko's ``RpcProxy(target_service)`` that calls only the methods in ``calls``."""

    def __init__(self, target_service, calls, **options):
        super().__init__(target_service, **options)
        self.calls = normalise({target_service: calls})

    def get_dependency(self, worker_ctx):
        return _DeclaredServiceProxy(super().get_dependency(worker_ctx), self.target_service,
                                     self.calls)


ANY_METHOD = "*"


def declared_calls(cls):
    """``{service: set of methods}`` that ``cls``'s dependencies may call; ``ANY_METHOD`` in
    a set for a plain nameko ``RpcProxy`` (it names the service, not the methods); ``None``
    when one of them may call any service (a plain ``RpcProxy`` without a target)."""
    found = {}
    for _, member in sorted(vars_of(cls).items()):
        if not isinstance(member, Extension):
            continue
        calls = getattr(member, "calls", None)
        if isinstance(calls, dict):
            for service, methods in calls.items():
                found.setdefault(service, set()).update(methods)
        elif isinstance(member, RpcProxy):
            if member.target_service is None:
                return None
            found.setdefault(member.target_service, set()).add(ANY_METHOD)
    return found


def vars_of(cls):
    """The class attributes of ``cls`` and its bases (nameko extensions are class attributes)."""
    out = {}
    for klass in reversed(cls.__mro__):
        out.update(vars(klass))
    return out
