"""Sunshine's dependencies beyond CaseService's.

``calendar = WorkCalendar()``: the working calendar from the service config (CALENDAR_*).
``departments = DepartmentRpc(calls={service: [method, ...]})``: a nameko ``RpcProxy`` whose
target is chosen per call, since a complaint may concern any department, for the methods it
declares only (``osac_shared.calls``: another raises ``UndeclaredCall`` before anything is
sent; sunshine's RabbitMQ user may publish exactly those, deploy/rabbitmq/generate.py reads
them from here): ``self.departments.call("logistics", "get_case", id)`` runs with the caller's
context (the student's actor propagates) and a timeout
(``DEPARTMENT_RPC_TIMEOUT`` seconds); a department that is not running (UnknownService) or does
not answer in time raises DomainError 503 ``department_unavailable`` naming it.
"""
import eventlet
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy, ServiceProxy

from osac_shared import calls as declared
from osac_shared.calendar import calendar_from_config

from .domain import department_unavailable


class WorkCalendar(DependencyProvider):
    def setup(self):
        self.calendar = calendar_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.calendar


class DepartmentCaller:
    def __init__(self, worker_ctx, reply_listener, timeout, calls):
        self.worker_ctx, self.reply_listener, self.timeout = worker_ctx, reply_listener, timeout
        self.calls = calls

    def call(self, department, method, *args, **kwargs):
        declared.check(self.calls, department, method)
        proxy = ServiceProxy(self.worker_ctx, department, self.reply_listener)
        try:
            with eventlet.Timeout(self.timeout):
                return getattr(proxy, method).call_async(*args, **kwargs).result()
        except (UnknownService, RpcTimeout, eventlet.Timeout):
            raise department_unavailable(department)


class DepartmentRpc(RpcProxy):
    def __init__(self, calls):
        super().__init__(target_service=None)
        self.calls = declared.normalise(calls)

    def setup(self):
        self.timeout = float(self.container.config.get("DEPARTMENT_RPC_TIMEOUT") or 5)

    def get_dependency(self, worker_ctx):
        return DepartmentCaller(worker_ctx, self.rpc_reply_listener, self.timeout, self.calls)
