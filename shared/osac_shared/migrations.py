"""Alembic for every service: each service keeps its own ``<package>/migrations`` folder whose
``env.py`` is two lines calling ``run_env``; ``upgrade`` runs them programmatically on start-up
(``osac-service``) or as a job (``osac-service --migrate-only``).

Every service's first migration (``0001``) starts with ``create_core_tables`` and ends its
downgrade with ``drop_core_tables``: the tables every service shares, as they were at
``0001``."""
import importlib
import os

import sqlalchemy as sa
from alembic import command, context, op
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


# The shared tables at revision 0001. These functions are part of every service's migration
# history: never edit them. A change to a shared table is a new migration in each service.

def create_core_tables(cases=True):
    """Create the tables every service shares in its first migration: the outbox and the
    processed-events marks (``osac_shared.outbox``), and, for a department (``cases=True``),
    the case tables (``osac_shared.cases``: cases, delegations, case_history)."""
    if cases:
        op.create_table(
            "cases",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("item_code", sa.String(length=80), nullable=False),
            sa.Column("student_id", sa.String(length=32), nullable=False),
            sa.Column("student_name", sa.String(length=64), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("form", sa.JSON(), nullable=False),
            sa.Column("materials", sa.JSON(), nullable=False),
            sa.Column("notices", sa.JSON(), nullable=False),
            sa.Column("supplements", sa.JSON(), nullable=False),
            sa.Column("result", sa.JSON(), nullable=False),
            sa.Column("green_channel", sa.Boolean(), nullable=False),
            sa.Column("green_reason", sa.Text(), nullable=False),
            sa.Column("idempotency_key", sa.String(length=128), nullable=True),
            sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("student_id", "idempotency_key",
                                name="uq_cases_student_idempotency"))
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_cases_item_code"), ["item_code"], unique=False)
            batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)
            batch_op.create_index(batch_op.f("ix_cases_student_id"), ["student_id"], unique=False)
            batch_op.create_index(batch_op.f("ix_cases_updated_at"), ["updated_at"], unique=False)
        op.create_table(
            "delegations",
            sa.Column("item_code", sa.String(length=80), nullable=False),
            sa.Column("b_post_id", sa.String(length=64), nullable=False),
            sa.Column("granted_by", sa.String(length=64), nullable=False),
            sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("item_code", "b_post_id"))
    op.create_table(
        "outbox",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_sent_at"), ["sent_at"], unique=False)
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("consumer", sa.String(length=128), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer"))
    if cases:
        op.create_table(
            "case_history",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("case_id", sa.String(length=64), nullable=False),
            sa.Column("action", sa.String(length=16), nullable=False),
            sa.Column("from_status", sa.String(length=16), nullable=True),
            sa.Column("to_status", sa.String(length=16), nullable=False),
            sa.Column("actor_id", sa.String(length=64), nullable=False),
            sa.Column("actor_role", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
            sa.PrimaryKeyConstraint("id"))
        with op.batch_alter_table("case_history", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_case_history_case_id"), ["case_id"],
                                  unique=False)


def drop_core_tables(cases=True):
    """Undo ``create_core_tables(cases)``; call it after dropping the service's own tables
    (theirs may refer to ``cases``)."""
    if cases:
        with op.batch_alter_table("case_history", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_case_history_case_id"))
        op.drop_table("case_history")
    op.drop_table("processed_events")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_sent_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_created_at"))
    op.drop_table("outbox")
    if cases:
        op.drop_table("delegations")
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_cases_updated_at"))
            batch_op.drop_index(batch_op.f("ix_cases_student_id"))
            batch_op.drop_index(batch_op.f("ix_cases_status"))
            batch_op.drop_index(batch_op.f("ix_cases_item_code"))
        op.drop_table("cases")
