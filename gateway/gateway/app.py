"""The WSGI application: wiring only (settings, database, clients, request hooks, errors).

Routes live in ``api.py`` (JSON under /api) and ``pages.py`` (the HTML guide, health checks,
OpenAPI); every downstream call goes through ``clients.Clients``.
"""
import logging
import os
import re
import uuid
from dataclasses import dataclass
from functools import wraps

from flask import Flask, current_app, g, jsonify, request
from sqlalchemy.orm import sessionmaker
from werkzeug.exceptions import UnsupportedMediaType

from osac_shared import observability
from osac_shared.clock import clock_from_config, system_now
from osac_shared.db import make_engine
from osac_shared.errors import forbidden, unauthenticated

from . import accounts
from .clients import Clients
from .config import Settings
from .errors import error_response

COOKIE = "osac_session"
CORRELATION_HEADER = "X-Correlation-Id"
_CORRELATION_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


@dataclass
class State:
    settings: Settings
    clients: Clients
    Session: sessionmaker
    clock: object            # the platform clock (CLOCK_FILE aware) for records we keep


def state():
    return current_app.extensions["osac"]


def db():
    """This request's database session (closed when the request ends)."""
    if "db" not in g:
        g.db = state().Session()
    return g.db


def current_user():
    if "user" not in g:
        g.user = accounts.user_for_token(db(), request.cookies.get(COOKIE), system_now(),
                                         state().settings.secret_key)
    return g.user


def require_roles(*roles):
    """401 when not logged in; 403 when logged in with another role (no roles: anyone)."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user = current_user()
            if user is None:
                raise unauthenticated()
            if roles and user.role not in roles:
                raise forbidden()
            return view(*args, **kwargs)
        return inner
    return wrap


def call_context():
    """actor + correlation_id keyword arguments for ``Clients.call`` / ``fan_out``."""
    user = current_user()
    return {"actor": accounts.actor_of(user) if user else None,
            "correlation_id": g.correlation_id}


def _ensure_sqlite_dir(url):
    if url.startswith("sqlite:///"):
        directory = os.path.dirname(url[len("sqlite:///"):])
        if directory:
            os.makedirs(directory, exist_ok=True)


def create_app(settings=None):
    settings = settings or Settings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    observability.configure_logging("gateway")       # JSON lines (LOG_FORMAT=text: plain)
    app = Flask(__name__)
    observability.instrument_flask(app, lambda: g.get("correlation_id"))   # + GET /metrics
    app.config.update(SECRET_KEY=settings.secret_key, JSON_AS_ASCII=False,
                      MAX_CONTENT_LENGTH=1024 * 1024)
    app.json.ensure_ascii = False

    _ensure_sqlite_dir(settings.db_url)
    engine = make_engine(settings.db_url)
    clock = clock_from_config({"CLOCK_FILE": settings.clock_file})
    from . import security    # its tables (throttling, audit, uploads) are created here too
    accounts.init_db(engine, settings.seed_demo, clock())
    engine.dispose()          # no connection made here outlives a fork (gunicorn --preload)
    app.extensions["osac"] = State(settings, Clients(settings),
                                   sessionmaker(bind=engine, expire_on_commit=False), clock)
    observability.instrument_clients(app.extensions["osac"].clients)

    @app.before_request
    def before():
        given = request.headers.get(observability.REQUEST_ID_HEADER) or \
            request.headers.get(CORRELATION_HEADER, "")
        g.correlation_id = given if _CORRELATION_RE.match(given) else uuid.uuid4().hex
        observability.bind_correlation_id(g.correlation_id)
        if request.method == "POST" and request.path.startswith("/api/") \
                and not request.is_json and not security.is_upload(request.path):
            raise UnsupportedMediaType()

    @app.after_request
    def after(response):
        response.headers[CORRELATION_HEADER] = g.get("correlation_id", "")
        response.headers[observability.REQUEST_ID_HEADER] = g.get("correlation_id", "")
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_appcontext
    def close_db(_exc):
        session = g.pop("db", None)
        if session is not None:
            session.close()

    @app.errorhandler(Exception)
    def handle(exc):
        status, payload = error_response(exc, g.get("correlation_id", ""))
        return jsonify(payload), status

    from .api import bp as api_bp
    from .pages import bp as pages_bp
    from .money_api import bp as money_bp
    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(money_bp)
    from .sso import bp as sso_bp
    app.register_blueprint(sso_bp)
    from .ui import bp as ui_bp          # the web UI (/ui)
    app.register_blueprint(ui_bp)
    from .hall_api import bp as hall_bp  # the hall office (/api/hall)
    app.register_blueprint(hall_bp)
    from .sla_api import bp as sla_bp    # deadlines: calendar, SLA report, at-risk
    app.register_blueprint(sla_bp)
    from . import verify                 # /verify/<code> (public), revoking certificates
    verify.init_app(app)
    security.init_app(app)    # CSRF, throttling, audit log, uploads (gateway/security.py)
    return app
