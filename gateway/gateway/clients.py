"""Every downstream call the gateway makes lives here (microservices-demo's ``rpc.go`` idea):
the RPC pool, time-outs, fan-out and degradation. Route handlers never touch nameko or kombu.

* ``RpcPool`` keeps one nameko ``ClusterRpcProxy`` per thread. A standalone proxy must not be
  shared between threads, so each gunicorn gthread gets its own, created lazily on the thread's
  first call (hence after the fork) and thrown away after a time-out or a connection error, so
  the next call starts on a clean connection and no stale reply can be mistaken for a new one.
* The actor and a correlation id travel in the RPC context data. A standalone proxy fixes its
  worker context (whose ``data`` becomes the ``nameko.*`` message headers) when it is built, so
  a pooled proxy, serving a different user on every request, sets
  ``proxy_owner._worker_ctx.data`` before each call; the thread owns the proxy, so no other
  request can see or change it in between.
* ``gather`` publishes every call first (``call_async``) and then collects the replies against
  ONE deadline, so a fan-out to five departments costs the slowest of them, never the sum, and
  never more than ``RPC_TIMEOUT``; it notes when each reply arrived, so each call is timed on
  its own (``Clients.observe``, the gateway's metrics).
* ``ConsumerProbe`` asks RabbitMQ (passive ``queue_declare`` of ``rpc-<name>``) whether anyone
  consumes a service's queue, cached for ~1.5 s. A service with no consumer is reported
  unavailable at once, and a write is never published to it: the queue is durable, so the
  message would otherwise be executed whenever the department comes back, long after the
  student was told it failed. A write re-checks without the cache, and every request carries
  a per-message TTL equal to its time-out, so even a department that dies between the check
  and the publish never executes a request its caller has given up on.
"""
import logging
import os
import socket
import threading
import time

from amqp.exceptions import NotFound
from kombu import Connection
from nameko.exceptions import UnknownService
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterRpcProxy

from osac_shared.errors import DomainError
from osac_shared.registry import DEPARTMENT_EN, DEPARTMENT_ZH

log = logging.getLogger(__name__)

# bounded publish retries: a broker that vanishes must not hold a request for kombu's default
# back-off (seconds per retry)
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2,
                 "interval_max": 0.3}


class ServiceUnavailable(Exception):
    """A downstream service could not answer. Subclasses say why (and so the HTTP status)."""
    reason_zh, reason_en = "暂时无法办理", "is unavailable right now"

    def __init__(self, service, detail=""):
        super().__init__(service, detail)
        self.service, self.detail = service, detail

    @property
    def name_zh(self):
        return DEPARTMENT_ZH.get(self.service, self.service)

    @property
    def name_en(self):
        return DEPARTMENT_EN.get(self.service, self.service)

    def __str__(self):
        return f"{self.service} {self.reason_en} {self.detail}".strip()


class ServiceDown(ServiceUnavailable):
    """No consumer on its queue, or the broker is unreachable (nothing was sent)."""
    reason_zh, reason_en = "服务暂未运行", "is not running"


class ServiceTimeout(ServiceUnavailable):
    """No reply within the deadline (a write may or may not have happened)."""
    reason_zh, reason_en = "未在规定时间内答复", "did not answer in time"


class ServiceFailed(ServiceUnavailable):
    """The service answered with an unexpected error (a bug or a version mismatch)."""
    reason_zh, reason_en = "处理出错", "failed to handle the request"


def context_data(actor, correlation_id):
    data = {"correlation_id": correlation_id} if correlation_id else {}
    if actor:
        data["actor"] = {k: v for k, v in actor.items() if v is not None}
    return data


class ConsumerProbe:
    """``up(names)`` -> {name: True when rpc-<name> has at least one consumer}; thread-safe.
    One AMQP connection per process, used under a lock; answers are cached for ``ttl``."""

    def __init__(self, amqp_uri, ttl=1.5, timeout=2.0):
        self.amqp_uri, self.ttl, self.timeout = amqp_uri, ttl, timeout
        self._lock = threading.Lock()
        self._cache = {}              # name -> (checked_at, up)
        self._broker = (-1e9, False)  # (checked_at, reachable)
        self._conn = self._channel = None
        self._pid = None

    def up(self, names, fresh=False):
        ttl = -1.0 if fresh else self.ttl
        if any(self._age(n) > ttl for n in names):
            with self._lock:
                for name in names:
                    if self._age(name) <= ttl:
                        continue
                    try:
                        consumers = self._declare(f"rpc-{name}")
                    except Exception as exc:     # broker away: all down, no more attempts
                        log.warning("RabbitMQ unreachable (%s); every service is down", exc)
                        stamp = time.monotonic()
                        self._broker = (stamp, False)
                        self._cache.update({n: (stamp, False) for n in names})
                        break
                    self._cache[name] = (time.monotonic(), consumers > 0)
        return {n: self._cache[n][1] for n in names}

    def broker_ok(self):
        if time.monotonic() - self._broker[0] > self.ttl:
            with self._lock:
                try:
                    self._declare("rpc-sla")        # any passive check proves the broker
                except Exception:
                    self._broker = (time.monotonic(), False)
        return self._broker[1]

    def _age(self, name):
        return time.monotonic() - self._cache.get(name, (-1e9, False))[0]

    def _declare(self, queue):
        """Consumers of ``queue`` (0 when it does not exist). Raises when the broker is away;
        a connection that died since its last use is replaced once."""
        for attempt in (1, 2):
            reused = self._conn is not None and self._pid == os.getpid()
            try:
                _, _, consumers = self._open().queue_declare(queue=queue, passive=True)
                self._broker = (time.monotonic(), True)
                return consumers
            except NotFound:          # never started: no queue (the broker closes the channel)
                self._channel = None
                self._broker = (time.monotonic(), True)
                return 0
            except Exception:
                self._reset()
                if not reused or attempt == 2:
                    raise

    def _open(self):
        if self._pid != os.getpid():        # never reuse a socket inherited across fork
            self._conn = self._channel = None
            self._pid = os.getpid()
        if self._conn is None:
            self._conn = Connection(self.amqp_uri, connect_timeout=self.timeout,
                                    transport_options={"read_timeout": self.timeout,
                                                       "write_timeout": self.timeout})
            self._conn.ensure_connection(max_retries=1, timeout=self.timeout)
        if self._channel is None:
            self._channel = self._conn.channel()
        return self._channel

    def _reset(self):
        if self._conn is not None:
            try:
                self._conn.collect()
            except Exception:
                pass
        self._conn = self._channel = None


class RpcPool:
    """One ClusterRpcProxy per thread (see the module docstring)."""

    def __init__(self, amqp_uri, timeout):
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout = timeout
        self._local = threading.local()

    def _owner(self):
        owner = getattr(self._local, "owner", None)
        if owner is None or self._local.pid != os.getpid():
            owner = ClusterRpcProxy(self.config, timeout=self.timeout)
            owner.start()
            self._local.owner, self._local.pid = owner, os.getpid()
        return owner

    def discard(self):
        """Drop this thread's proxy without a closing handshake (its connection may be dead)."""
        owner = getattr(self._local, "owner", None)
        self._local.owner = None
        if owner is not None:
            try:
                owner._reply_listener.queue_consumer.connection.collect()
            except Exception:
                pass

    @staticmethod
    def _collect(owner, replies, deadline):
        """Wait for the replies of ``replies`` ({key: reply}) until ``deadline`` (monotonic).
        -> ({key: monotonic time its reply arrived}, the transport's error or None); a key
        missing from the first got no reply in time. Each message drained is one reply, so
        the time is that call's own, whatever the order of the others."""
        consumer = owner._reply_listener.queue_consumer
        waiting, arrived = dict(replies), {}
        while True:
            now = time.monotonic()
            for key, reply in list(waiting.items()):
                if reply.reply_event.correlation_id in consumer.replies:
                    arrived[key] = now
                    del waiting[key]
            if not waiting or now >= deadline:
                return arrived, None
            try:
                consumer.consumer.connection.drain_events(timeout=deadline - now)
            except socket.timeout:
                return arrived, None
            except Exception as exc:          # the connection failed while we waited
                return arrived, exc

    def gather(self, calls, actor, correlation_id, timeout=None, took=None):
        """``calls`` = {key: (service, method, args, kwargs)} -> {key: result or exception};
        exceptions are DomainError (the service's answer) or a ServiceUnavailable. ``took``,
        a dict, receives each call's own seconds from its publish to its answer."""
        deadline = time.monotonic() + (timeout or self.timeout)
        took = {} if took is None else took
        out, replies, sent, broken = {}, {}, {}, False
        try:
            owner = self._owner()
        except Exception as exc:
            log.warning("cannot open an RPC proxy: %s", exc)
            return {key: ServiceDown(call[0], "broker") for key, call in calls.items()}
        owner._worker_ctx.data = context_data(actor, correlation_id)
        ttl = max(0.1, deadline - time.monotonic())
        for key, (service, method, args, kwargs) in calls.items():
            proxy = ServiceProxy(owner._worker_ctx, service, owner._reply_listener,
                                 retry_policy=PUBLISH_RETRY, expiration=ttl)
            sent[key] = time.monotonic()
            try:
                replies[key] = getattr(proxy, method).call_async(*args, **kwargs)
            except UnknownService:
                out[key] = ServiceDown(service, "unknown")
            except Exception as exc:
                log.warning("publishing %s.%s failed: %s", service, method, exc)
                out[key], broken = ServiceDown(service, "publish"), True
            if key in out:
                took[key] = time.monotonic() - sent[key]
        arrived, lost = self._collect(owner, replies, deadline)
        for key, reply in replies.items():
            service = calls[key][0]
            took[key] = arrived.get(key, time.monotonic()) - sent[key]
            if key not in arrived:
                broken = True
                if lost is None:
                    out[key] = ServiceTimeout(service)
                    log.warning("%s: %s did not answer in %.1f s", correlation_id, service,
                                timeout or self.timeout)
                else:       # the request went out and no answer came: it may still run
                    out[key] = ServiceTimeout(service, "transport")
                    log.warning("%s: %s call failed: %r", correlation_id, service, lost)
                continue
            try:
                out[key] = reply.result()
            except DomainError as exc:
                out[key] = exc
            except Exception as exc:
                if reply.resp_body is None:          # its answer could not be read: the
                    broken = True                    # transport failed; it may still run
                    out[key] = ServiceTimeout(service, "transport")
                else:                                # the service raised something else
                    out[key] = ServiceFailed(service, type(exc).__name__)
                log.warning("%s: %s call failed: %r", correlation_id, service, exc)
        if broken:
            self.discard()
        return out


class Clients:
    """The facade route handlers use: ``call`` for one call that must succeed (raises), and
    ``fan_out`` for many calls that may partly fail (degrades)."""

    def __init__(self, settings):
        self.settings = settings
        self.timeout = settings.rpc_timeout
        self.probe = ConsumerProbe(settings.amqp_uri, ttl=settings.probe_ttl)
        self.pool = RpcPool(settings.amqp_uri, settings.rpc_timeout)
        self._catalogue = {}        # department -> (fetched_at, items)
        self._catalogue_lock = threading.Lock()
        self.observe = None         # observe(service, method, answer, seconds), per call

    def fan_out(self, calls, actor, correlation_id, fresh=False):
        """-> ({key: result}, {key: exception}). Services with no consumer are not called;
        ``fresh`` checks for consumers without the cache (writes). ``observe``, when set
        (observability.instrument_clients), hears of every call with its own seconds."""
        started = time.monotonic()
        up = self.probe.up(sorted({c[0] for c in calls.values()}), fresh)
        live = {k: c for k, c in calls.items() if up[c[0]]}
        out = {k: ServiceDown(c[0]) for k, c in calls.items() if not up[c[0]]}
        took = {k: time.monotonic() - started for k in out}     # never sent: the check's time
        if live:
            out.update(self.pool.gather(live, actor, correlation_id, self.timeout, took=took))
        if self.observe is not None:
            done = time.monotonic()
            for key, (service, method, _args, _kwargs) in calls.items():
                self.observe(service, method, out[key], took.get(key, done - started))
        ok = {k: v for k, v in out.items() if not isinstance(v, Exception)}
        return ok, {k: v for k, v in out.items() if isinstance(v, Exception)}

    def call(self, service, method, *args, actor=None, correlation_id=None, write=False,
             **kwargs):
        """One call; raises DomainError or a ServiceUnavailable. Never publishes to a service
        without consumers; ``write=True`` re-checks that without the cache."""
        ok, failed = self.fan_out({0: (service, method, args, kwargs)}, actor, correlation_id,
                                  fresh=write)
        if failed:
            raise failed[0]
        return ok[0]

    def catalogue(self, departments, correlation_id):
        """-> (items of every department, departments with nothing to show, departments served
        from a stale copy). Each department's list is cached for ``catalogue_ttl``."""
        now = time.monotonic()
        cached = dict(self._catalogue)
        due = [d for d in departments
               if d not in cached or now - cached[d][0] > self.settings.catalogue_ttl]
        stale, unavailable = [], []
        if due:
            ok, failed = self.fan_out({d: (d, "catalogue", (), {}) for d in due}, None,
                                      correlation_id)
            with self._catalogue_lock:
                for d, items in ok.items():
                    self._catalogue[d] = (time.monotonic(), items)
            cached = dict(self._catalogue)
            for d in failed:
                (stale if d in cached else unavailable).append(d)
        items = [item for d in departments if d in cached for item in cached[d][1]]
        return items, sorted(unavailable), sorted(stale)
