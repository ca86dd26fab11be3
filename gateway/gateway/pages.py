"""Outside /api's JSON resources: the service-guide page, health checks and the OpenAPI
document."""
from flask import Blueprint, g, render_template
from sqlalchemy import text

from osac_shared.registry import DEPARTMENT_ZH, DEPARTMENTS, SERVICES

from . import compose
from .app import db, state
from .openapi import spec

bp = Blueprint("pages", __name__)


@bp.get("/healthz/live")
def live():
    """Liveness: the process answers (no I/O; the benchmarks' trivial endpoint)."""
    return {"status": "ok"}


@bp.get("/healthz")
def health():
    """Readiness with dependencies: 503 only when the gateway's own broker or database is
    away; a department being down is reported, not fatal."""
    probe = state().clients.probe
    rabbit = probe.broker_ok()
    try:
        db().execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        database = "down"
    up = probe.up(list(SERVICES)) if rabbit else {name: False for name in SERVICES}
    ok = rabbit and database == "ok"
    deps = {"rabbitmq": "ok" if rabbit else "down", "database": database,
            **{name: "up" if up[name] else "down" for name in SERVICES}}
    return {"status": "ok" if ok else "degraded", "dependencies": deps}, 200 if ok else 503


@bp.get("/")
def index():
    items, unavailable, stale = state().clients.catalogue(DEPARTMENTS, g.correlation_id)
    return render_template("index.html", windows=compose.group_by_window(items),
                           unavailable=[DEPARTMENT_ZH.get(d, d) for d in unavailable],
                           stale=[DEPARTMENT_ZH.get(d, d) for d in stale])


@bp.get("/api/openapi.json")
def openapi():
    return spec()
