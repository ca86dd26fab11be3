"""Alembic for every service: each service keeps its own ``<package>/migrations`` folder whose
``env.py`` is two lines calling ``run_env``; ``upgrade`` runs them programmatically on start-up
(``osac-service``) or as a job (``osac-service --migrate-only``)."""
import importlib
import os

from alembic import command, context
from alembic.config import Config
from sqlalchemy import create_engine, pool


def alembic_config(package, db_url):
    module = importlib.import_module(package)
    location = os.path.join(os.path.dirname(module.__file__), "migrations")
    cfg = Config()
    cfg.set_main_option("script_location", location)
    cfg.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    return cfg


def upgrade(package, db_url, revision="head"):
    command.upgrade(alembic_config(package, db_url), revision)


def run_env(target_metadata):
    """The body of every service's migrations/env.py."""
    url = context.config.get_main_option("sqlalchemy.url") or os.environ["DB_URL"]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
