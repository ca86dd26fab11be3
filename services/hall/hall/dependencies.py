"""The hall's own Nameko extensions.

``Settings``: the Sunshine weights, the working calendar and the call time-out, read once.
``Departments(calls={service: [method, ...]})``: an RpcProxy to the services named at call
time (the hall asks the department that owns a case, ``service_of(case_id)``), for the
methods it declares only (``osac_shared.calls``: another raises ``UndeclaredCall`` before
anything is sent; the hall's RabbitMQ user may publish exactly those, deploy/rabbitmq/
generate.py reads them from here). The caller's context data (the actor,
the correlation id) travels with the call, as with nameko's ``RpcProxy``. A service that is not
running, or does not answer within ``DEPARTMENT_TIMEOUT`` seconds, raises ``Unavailable``; the
request carries the same time-to-live, so a department that comes back later never executes a
call its caller gave up on.
"""
import eventlet
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, ServiceProxy

from osac_shared import calls as declared
from osac_shared.calendar import calendar_from_config
from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENT_EN, DEPARTMENT_ZH

from .rules.ranking import parse_weights


class Unavailable(Exception):
    def __init__(self, service):
        super().__init__(service)
        self.service = service

    def as_error(self, field):
        """The 503 a user sees: which department, and that other work is unaffected."""
        zh, en = DEPARTMENT_ZH.get(self.service, self.service), \
            DEPARTMENT_EN.get(self.service, self.service)
        return DomainError("department_unavailable", f"{zh}暂时无法答复，请稍后再试",
                           f"{en} is not answering right now; try again later",
                           {field: f"{zh}服务暂不可用 / {en} is unavailable"}, 503)


class Settings(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.weights = parse_weights(config.get("SUNSHINE_WEIGHTS"))
        self.calendar = calendar_from_config(config)
        self.timeout = float(config.get("DEPARTMENT_TIMEOUT") or 5)

    def get_dependency(self, worker_ctx):
        return self


class _Caller:
    def __init__(self, worker_ctx, reply_listener, timeout, calls):
        self.worker_ctx, self.reply_listener, self.timeout = worker_ctx, reply_listener, timeout
        self.calls = calls

    def call(self, service, method, *args, **kwargs):
        declared.check(self.calls, service, method)
        proxy = ServiceProxy(self.worker_ctx, service, self.reply_listener,
                             expiration=self.timeout)
        try:
            reply = getattr(proxy, method).call_async(*args, **kwargs)
        except UnknownService:
            raise Unavailable(service)
        missing = object()
        result = missing
        with eventlet.Timeout(self.timeout, False):
            result = reply.result()
        if result is missing:
            events = self.reply_listener._reply_events      # forget the abandoned call
            for key in [k for k, v in events.items() if v is reply.reply_event]:
                events.pop(key, None)
            raise Unavailable(service)
        return result


class Departments(DependencyProvider):
    """``self.departments.call("logistics", "get_case", case_id)``, for the ``calls`` declared."""
    reply_listener = ReplyListener()

    def __init__(self, calls):
        self.calls = declared.normalise(calls)

    def setup(self):
        self.timeout = float(self.container.config.get("DEPARTMENT_TIMEOUT") or 5)

    def get_dependency(self, worker_ctx):
        return _Caller(worker_ctx, self.reply_listener, self.timeout, self.calls)
