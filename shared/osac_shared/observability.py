"""Observability: Prometheus metrics, JSON log lines and one correlation id per request.

* **Correlation id.** The gateway takes ``X-Request-ID`` (or makes one), echoes it, and sends
  it in every RPC's context data (``correlation_id``); services put it in every event they
  write (the envelope's ``correlation_id``, also sent as the ``nameko.correlation_id``
  header), so one id follows a request through every service and event. ``CORRELATION``
  holds it for the current worker (a greenlet) or gateway request (a thread).
* **Logs.** ``configure_logging(service)`` makes every handler of the process write one JSON
  object per line: ``time, level, service, logger, message, correlation_id`` (+ fields passed
  as ``extra={"fields": {...}}``), personal numbers masked in every text value
  (``masking.mask_text``). ``LOG_FORMAT=text`` keeps plain lines.
* **Metrics** (names in ``METRICS``; alert rules and the Grafana board use only these):
  ``Metrics()`` is the Nameko dependency (``metrics = Metrics()`` in a service class). It
  installs the JSON logs, times every RPC (``worker_setup``/``worker_result``), counts events
  consumed, exports the outbox backlog and any gauges the service adds
  (``Metrics(gauges=fn)``, ``fn(session) -> [(name, help, {label: value}, number)]``), writes
  one log line per RPC or event handled, and serves ``/metrics`` on ``METRICS_PORT``
  (config or environment; 0, the default, is off). ``count_published`` wraps the outbox's
  publish function. ``instrument_flask(app)`` / ``instrument_clients(clients)`` do the same
  for the gateway (``GET /metrics``; with several gunicorn workers set
  ``PROMETHEUS_MULTIPROC_DIR`` to a directory of its own, made here if missing, so the
  answer covers all of them); the gateway times each RPC of a fan-out on its own.
* **This process's health**, on the same port (what the probes ask, never another replica):
  ``GET /healthz/live`` is 200 while the Nameko container runs and the process answers (no
  I/O); ``GET /healthz`` is 200 when, in addition, its AMQP consumer went round its loop in
  the last ``STALE_AFTER`` seconds (kombu does so at least once a second while connected,
  never while it reconnects) and its database answers ``SELECT 1``; 503 otherwise, with the
  failing check named in the JSON body.
"""
import contextvars
import json
import logging
import os
import time
from datetime import datetime, timezone

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.messaging import QueueConsumer
from nameko.rpc import Rpc
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter,
                               Histogram, generate_latest, make_wsgi_app)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from .masking import mask_text

log = logging.getLogger("osac.observability")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):     # before the first figure is written there
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
CORRELATION = contextvars.ContextVar("osac_correlation_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
QUIET = ("health", "ping")      # probes: logged at DEBUG, counted as usual
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STALE_AFTER = 10.0   # seconds without a turn of the AMQP consumer loop: not on the broker

# ---- the metrics -----------------------------------------------------------------------
RPC_SECONDS = Histogram("osac_rpc_duration_seconds", "RPC handling time in the service",
                        ["service", "method"], buckets=BUCKETS)
RPC_TOTAL = Counter("osac_rpc_requests", "RPCs handled, by outcome (ok, refused: a "
                    "DomainError the caller caused, error: anything else)",
                    ["service", "method", "outcome"])
EVENTS_TOTAL = Counter("osac_events_consumed", "Events handled, by outcome",
                       ["service", "source", "type", "outcome"])
EVENT_SECONDS = Histogram("osac_event_handling_duration_seconds", "Event handling time",
                          ["service", "type"], buckets=BUCKETS)
OUTBOX_PUBLISHED = Counter("osac_outbox_published", "Events published (confirmed) from the "
                           "outbox", ["service", "type"])
HTTP_TOTAL = Counter("osac_http_requests", "Gateway HTTP requests",
                     ["method", "route", "status"])
HTTP_SECONDS = Histogram("osac_http_request_duration_seconds", "Gateway request time",
                         ["method", "route"], buckets=BUCKETS)
GATEWAY_RPC_SECONDS = Histogram("osac_gateway_rpc_duration_seconds", "Time from sending one "
                                "RPC until the gateway had its answer (or gave up on it), "
                                "each call of a fan-out on its own", ["service", "method",
                                                                      "outcome"],
                                buckets=BUCKETS)
GATEWAY_RPC_TOTAL = Counter("osac_gateway_rpc_calls", "RPCs made by the gateway, by outcome "
                            "(ok, refused, unavailable)", ["service", "method", "outcome"])
# gauges read at scrape time (see _ServiceCollector) -- name: (help, labels)
BACKLOG = "osac_outbox_backlog"
GAUGES = {BACKLOG: ("Outbox rows not yet published", ("service",)),
          "osac_sla_open_deadlines": ("Open SLA deadlines", ("department", "timer")),
          "osac_sla_breached_deadlines": ("Open SLA deadlines already past due",
                                          ("department", "timer"))}


def _exposed(metric):
    name, kind = metric._name, metric._type
    suffixes = {"counter": ("_total", "_created"),
                "histogram": ("_bucket", "_count", "_sum", "_created")}.get(kind, ("",))
    return {name + s for s in suffixes}


METRICS = sorted(set(GAUGES).union(*(_exposed(m) for m in (
    RPC_SECONDS, RPC_TOTAL, EVENTS_TOTAL, EVENT_SECONDS, OUTBOX_PUBLISHED, HTTP_TOTAL,
    HTTP_SECONDS, GATEWAY_RPC_SECONDS, GATEWAY_RPC_TOTAL))))


# ---- logs ------------------------------------------------------------------------------
class JsonFormatter(logging.Formatter):
    def __init__(self, service):
        super().__init__()
        self.service = service

    def format(self, record):
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc)
                .isoformat(timespec="milliseconds"),
                "level": record.levelname, "service": self.service, "logger": record.name,
                "message": record.getMessage(),
                "correlation_id": getattr(record, "correlation_id", None) or CORRELATION.get()}
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps({k: mask_text(v) if isinstance(v, str) else v    # personal numbers
                           for k, v in line.items()}, ensure_ascii=False, default=str)


def configure_logging(service, fmt=None,
                      loggers=("", "nameko", "gunicorn.error", "gunicorn.access")):
    """JSON lines on every handler of the named loggers (a root handler is added if none)."""
    if (fmt or os.environ.get("LOG_FORMAT") or "json").lower() != "json":
        return
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
        root.setLevel(logging.INFO)
    for name in loggers:
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(JsonFormatter(service))


try:                                           # the gateway's image has gunicorn, services not
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:                            # pragma: no cover
    _GunicornLogger = object


class GunicornJsonLogger(_GunicornLogger):
    """``gunicorn --logger-class osac_shared.observability.GunicornJsonLogger``: the master's
    own lines (start, workers booted or killed) as JSON too."""

    def setup(self, cfg):
        super().setup(cfg)
        if (os.environ.get("LOG_FORMAT") or "json").lower() == "json":
            for logger in (self.error_log, self.access_log):
                for handler in logger.handlers:
                    handler.setFormatter(JsonFormatter("gateway"))


def bind_correlation_id(value):
    CORRELATION.set(value or None)


# ---- services ----------------------------------------------------------------------------
def outcome_of(exc_info):
    if exc_info is None:
        return "ok"
    from .errors import DomainError
    return "refused" if isinstance(exc_info[1], DomainError) else "error"


class _ServiceCollector:
    """The backlog and the service's own gauges, read from its database at scrape time."""

    def __init__(self, container, gauges):
        self.container, self.gauges = container, gauges

    def describe(self):
        return []

    def _sessionmaker(self):
        for dep in self.container.dependencies:
            if getattr(dep, "Session", None) is not None:
                return dep.Session
        return None

    def collect(self):
        service = self.container.service_name
        Session = self._sessionmaker()
        if Session is None:
            return
        families = {}

        def family(name, help_, labels):
            if name not in families:
                families[name] = GaugeMetricFamily(name, help_, labels=list(labels))
            return families[name]

        session = Session()
        try:
            from .outbox import backlog
            family(BACKLOG, *GAUGES[BACKLOG]).add_metric([service], backlog(session))
            for name, help_, labels, value in (self.gauges(session) if self.gauges else ()):
                family(name, help_, labels).add_metric([str(v) for v in labels.values()],
                                                       value)
        except Exception as exc:      # database away: export what we have
            log.warning("metrics: gauges not read: %s", exc)
        finally:
            session.close()
        yield from families.values()


class Metrics(DependencyProvider):
    """``metrics = Metrics()``: metrics, JSON logs and the correlation id of every worker
    (see the module docstring). Gives the worker nothing."""

    _servers = {}          # port -> server, one per process

    def __init__(self, gauges=None):
        self.gauges = gauges
        self.started = {}
        self.collector = None
        self.serving = False          # between start() and stop(): the container runs
        self.consumer_turn = None     # monotonic time of the AMQP consumer loop's last turn

    def setup(self):
        config = self.container.config
        self.service = self.container.service_name
        configure_logging(self.service, config.get("LOG_FORMAT"))
        self.port = int(config.get("METRICS_PORT") or os.environ.get("METRICS_PORT") or 0)
        self.collector = _ServiceCollector(self.container, self.gauges)
        REGISTRY.register(self.collector)

    def start(self):
        """Serve /metrics and /healthz on METRICS_PORT from a green thread (prometheus_client's
        own server does not run under eventlet's monkey-patched socket module)."""
        self.serving = True
        self._watch_consumer()
        if not self.port or self.port in Metrics._servers:
            return
        import eventlet
        import eventlet.wsgi
        try:
            sock = eventlet.listen(("0.0.0.0", self.port))
        except OSError as exc:              # never keep a service down for its metrics
            log.warning("metrics port %s not available: %s", self.port, exc)
            return
        Metrics._servers[self.port] = sock
        self.container.spawn_managed_thread(lambda: eventlet.wsgi.server(
            sock, self.wsgi_app(), log_output=False))
        log.info("metrics on :%s/metrics, health on :%s/healthz", self.port, self.port)

    def stop(self):
        self.serving = False
        Metrics._servers.pop(self.port, None)     # its server thread ends with the container
        if self.collector is not None:
            try:
                REGISTRY.unregister(self.collector)
            except KeyError:
                pass
            self.collector = None

    kill = stop

    # -- this process's health ---------------------------------------------------------------
    def _watch_consumer(self):
        """Stamp each turn of the container's AMQP consumer loop (kombu's ``on_iteration``:
        at least once a second while connected, never while it reconnects)."""
        for ext in self.container.subextensions:
            if isinstance(ext, QueueConsumer) and not getattr(ext, "_osac_watched", False):
                turn = ext.on_iteration

                def on_iteration(turn=turn):
                    self.consumer_turn = time.monotonic()
                    turn()
                ext.on_iteration, ext._osac_watched = on_iteration, True

    def health(self, live=False):
        """(ok, {check: state}) of this process; ``live``: the container runs (no I/O), else
        also the broker (the consumer loop turned within STALE_AFTER s) and the database."""
        checks = {"service": self.service,
                  "container": "running" if self.serving else "stopped"}
        ok = self.serving
        if live:
            return ok, checks
        if self.consumer_turn is None:
            checks["broker"], ok = "not connected yet", False
        else:
            idle = time.monotonic() - self.consumer_turn
            connected = idle < STALE_AFTER
            checks["broker"] = "connected" if connected else f"disconnected for {idle:.0f}s"
            ok = ok and connected
        Session = self.collector._sessionmaker() if self.collector else None
        if Session is not None:
            session = Session()
            try:
                session.execute(text("SELECT 1"))
                checks["database"] = "ok"
            except Exception as exc:
                checks["database"], ok = f"unavailable ({type(exc).__name__})", False
            finally:
                session.close()
        return ok, checks

    def wsgi_app(self):
        """/healthz and /healthz/live (JSON, 200 or 503); anything else: the metrics."""
        metrics = make_wsgi_app()

        def app(environ, start_response):
            path = environ.get("PATH_INFO", "")
            if path not in ("/healthz", "/healthz/live"):
                return metrics(environ, start_response)
            ok, checks = self.health(live=path == "/healthz/live")
            body = json.dumps({"status": "ok" if ok else "unavailable", **checks}).encode()
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
            return [body]
        return app

    def get_dependency(self, worker_ctx):
        return None

    def worker_setup(self, worker_ctx):
        correlation_id = worker_ctx.data.get("correlation_id")
        if isinstance(worker_ctx.entrypoint, EventHandler) and worker_ctx.args \
                and isinstance(worker_ctx.args[0], dict):
            correlation_id = worker_ctx.args[0].get("correlation_id") or correlation_id
        CORRELATION.set(correlation_id)
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx, None)
        if started is None:
            return
        seconds = time.perf_counter() - started
        entrypoint, outcome = worker_ctx.entrypoint, outcome_of(exc_info)
        fields = {"duration_ms": round(seconds * 1000, 1), "outcome": outcome}
        level = logging.ERROR if outcome == "error" else logging.INFO
        if exc_info is not None:
            fields["error"] = repr(exc_info[1])[:500]
        if isinstance(entrypoint, Rpc):
            method = entrypoint.method_name
            RPC_SECONDS.labels(self.service, method).observe(seconds)
            RPC_TOTAL.labels(self.service, method, outcome).inc()
            level = logging.DEBUG if method in QUIET and outcome == "ok" else level
            log.log(level, "rpc %s.%s %s %.1fms", self.service, method, outcome,
                    seconds * 1000, extra={"fields": {**fields, "kind": "rpc", "method": method}})
        elif isinstance(entrypoint, EventHandler):
            payload = worker_ctx.args[0] if worker_ctx.args else {}
            payload = payload if isinstance(payload, dict) else {}
            type_ = payload.get("type") or entrypoint.event_type
            EVENTS_TOTAL.labels(self.service, entrypoint.source_service, type_, outcome).inc()
            EVENT_SECONDS.labels(self.service, type_).observe(seconds)
            log.log(level, "event %s %s -> %s.%s %s %.1fms", entrypoint.source_service,
                    type_, self.service, entrypoint.method_name, outcome, seconds * 1000,
                    extra={"fields": {**fields, "kind": "event", "type": type_,
                                      "source": entrypoint.source_service,
                                      "event_id": payload.get("event_id"),
                                      "case_id": payload.get("case_id")}})

    def worker_teardown(self, worker_ctx):
        self.started.pop(worker_ctx, None)


def count_published(service, publish):
    """Wrap an outbox ``publish(envelope)``: count each confirmed publish by type."""
    def counted(envelope):
        publish(envelope)
        OUTBOX_PUBLISHED.labels(service, envelope.get("type", "")).inc()
    return counted


# ---- the gateway -----------------------------------------------------------------------------
def metrics_payload():
    """(body, content type) for ``GET /metrics``: every gunicorn worker's figures when
    ``PROMETHEUS_MULTIPROC_DIR`` is set, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def instrument_flask(app, correlation_of=lambda: None):
    """Time and count every request by route and status, log one JSON line per request, and
    serve ``GET /metrics``. ``correlation_of()`` gives the request's correlation id."""
    from flask import Response, g, request
    access = logging.getLogger("osac.access")

    @app.before_request
    def _obs_start():
        g.obs_started = time.perf_counter()

    @app.after_request
    def _obs_done(response):
        started = g.pop("obs_started", None)
        if started is None:
            return response
        seconds = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        HTTP_TOTAL.labels(request.method, route, str(response.status_code)).inc()
        HTTP_SECONDS.labels(request.method, route).observe(seconds)
        access.info("%s %s %s %.1fms", request.method, request.path, response.status_code,
                    seconds * 1000, extra={"fields": {
                        "kind": "http", "method": request.method, "path": request.path,
                        "route": route, "status": response.status_code,
                        "duration_ms": round(seconds * 1000, 1)},
                        "correlation_id": correlation_of()})
        return response

    def metrics():
        body, content_type = metrics_payload()
        return Response(body, content_type=content_type)

    app.add_url_rule("/metrics", "metrics", metrics)


def instrument_clients(clients):
    """Count and time every RPC the gateway makes: ``Clients.fan_out`` (every call goes
    through it) calls ``clients.observe(service, method, answer, seconds)`` once per call with
    that call's own time, from its publish to its answer (a fan-out's calls run at once; a
    call to a service with no consumer is never sent and counts as ``unavailable``)."""
    from .errors import DomainError

    def observe(service, method, answer, seconds):
        outcome = ("refused" if isinstance(answer, DomainError) else
                   "unavailable" if isinstance(answer, Exception) else "ok")
        GATEWAY_RPC_SECONDS.labels(service, method, outcome).observe(seconds)
        GATEWAY_RPC_TOTAL.labels(service, method, outcome).inc()

    clients.observe = observe
    return clients
