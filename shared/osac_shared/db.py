"""SQLAlchemy 2 for Nameko: the declarative base, engines, and the ``Database`` provider.

nameko-sqlalchemy does not support SQLAlchemy 2, so this is the small provider it would be:
one engine per container (built from the config key ``DB_URL``), one session per worker,
rolled back and closed when the worker ends, so a failed worker never leaves half a change.
"""
import os
from contextlib import contextmanager

from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker


class Base(DeclarativeBase):
    pass


def make_engine(url, **kwargs):
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
        return engine
    # A Nameko service runs up to 10 workers at once, each with its own session: the pool
    # keeps DB_POOL_SIZE connections open between calls and opens up to DB_MAX_OVERFLOW more
    # under load (closed when returned). Sum them over every process when sizing PostgreSQL's
    # max_connections (100 by default).
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", int(os.environ.get("DB_POOL_SIZE", "5")))
    kwargs.setdefault("max_overflow", int(os.environ.get("DB_MAX_OVERFLOW", "15")))
    return create_engine(url, **kwargs)


def is_postgres(session_or_engine):
    bind = getattr(session_or_engine, "bind", session_or_engine)
    return bind.dialect.name == "postgresql"


@contextmanager
def transaction(sessionmaker_):
    """A session whose work is committed on success and rolled back on any error."""
    session = sessionmaker_()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Database(DependencyProvider):
    """``db = Database()`` gives each worker a fresh ``Session`` on ``config['DB_URL']``."""

    def __init__(self, config_key="DB_URL"):
        self.config_key = config_key
        self.engine = None
        self.Session = None
        self.sessions = {}

    def setup(self):
        self.engine = make_engine(self.container.config[self.config_key])
        self.Session = sessionmaker(bind=self.engine, expire_on_commit=False)

    def stop(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        session = self.Session()
        self.sessions[worker_ctx] = session
        return session

    def worker_teardown(self, worker_ctx):
        session = self.sessions.pop(worker_ctx, None)
        if session is not None:
            session.rollback()   # no-op after a commit; discards a failed worker's half-change
            session.close()
