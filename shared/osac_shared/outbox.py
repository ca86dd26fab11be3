"""Transactional outbox and idempotent consumption.

A service never dispatches an event directly. It calls ``add_event(session, envelope)`` in the
same transaction as the change the event describes, so the two commit together or not at all.
``OutboxRelay`` (a Nameko dependency with its own green thread) publishes unsent rows to the
service's event exchange with publisher confirms and marks them sent; a row whose publish was
not confirmed stays unsent and is retried on the next pass. A crash between the confirm and the
mark can publish a row twice, so every consumer deduplicates by event id with ``first_time``.

Consumers declare handlers with this module's ``event_handler`` (nameko's, plus: an event whose
handler fails - its database away, say - goes back to its queue after ``EVENT_RETRY_DELAY``
seconds instead of being acknowledged and lost; nameko's default acks it).
"""
import json
import logging
from datetime import datetime, timezone

import eventlet
from eventlet.event import Event
from kombu import Connection
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler, get_event_exchange
from nameko.extensions import DependencyProvider
from sqlalchemy import DateTime, Integer, String, Text, select, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from .db import Base, make_engine, is_postgres
from .observability import count_published

log = logging.getLogger(__name__)


def utcnow():
    return datetime.now(timezone.utc)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True,
                                                     index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class ProcessedEvent(Base):
    __tablename__ = "processed_events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def add_event(session, envelope):
    """Stage an event in the caller's transaction."""
    session.add(OutboxMessage(event_id=envelope["event_id"], type=envelope["type"],
                              payload=json.dumps(envelope, ensure_ascii=False),
                              created_at=utcnow(), attempts=0))


def first_time(session, event_id, consumer):
    """True once per (event id, consumer); the mark commits with the handler's own change."""
    if session.get(ProcessedEvent, (event_id, consumer)) is not None:
        return False
    session.add(ProcessedEvent(event_id=event_id, consumer=consumer, processed_at=utcnow()))
    try:
        session.flush()
    except IntegrityError:           # a concurrent delivery of the same event won the race
        session.rollback()
        return False
    return True


class RequeueingEventHandler(EventHandler):
    """``@event_handler(source, type)`` whose event is requeued when the handler raises: the
    worker first waits ``EVENT_RETRY_DELAY`` seconds (default 1), so a database outage is
    retried at a walking pace, not in a hot loop. Handlers must stay idempotent (``first_time``)
    and must return, not raise, for an event they will never accept (a broken contract)."""

    def __init__(self, source_service, event_type, **kwargs):
        kwargs.setdefault("requeue_on_error", True)
        super().__init__(source_service, event_type, **kwargs)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None and self.requeue_on_error:
            eventlet.sleep(float(self.container.config.get("EVENT_RETRY_DELAY") or 1))
        return super().handle_result(message, worker_ctx, result, exc_info)


event_handler = RequeueingEventHandler.decorator


def backlog(session):
    return session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.sent_at.is_(None)))


def publish_pending(Session, publish, batch=100):
    """Publish up to ``batch`` unsent rows, oldest first; returns how many were confirmed.

    ``publish(envelope)`` must raise unless the broker confirmed the message. On PostgreSQL the
    rows are claimed with ``FOR UPDATE SKIP LOCKED`` so two relays never publish the same row at
    the same time."""
    sent = 0
    session = Session()
    try:
        query = (select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                 .order_by(OutboxMessage.created_at).limit(batch))
        if is_postgres(session):
            query = query.with_for_update(skip_locked=True)
        for row in session.scalars(query).all():
            row.attempts += 1
            try:
                publish(json.loads(row.payload))
            except Exception as exc:   # broker away or message not confirmed: retry later
                log.warning("outbox: publish of %s failed (%s); will retry", row.event_id, exc)
                break
            row.sent_at = utcnow()
            sent += 1
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
    return sent


def event_publisher(amqp_uri, service_name, config=None):
    """``publish(envelope)`` to ``<service_name>.events`` with confirms (raises unless confirmed).

    The exchange is declared exactly as nameko's ``@event_handler`` declares it."""
    config = dict(config or {}, AMQP_URI=amqp_uri)
    exchange = get_event_exchange(service_name, config)
    publisher = Publisher(amqp_uri, use_confirms=True, declare=[exchange], retry=True,
                          retry_policy={"max_retries": 1, "interval_start": 0.2},
                          serializer=config.get("serializer", "json"))

    def publish(envelope):
        publisher.publish(envelope, exchange=exchange, routing_key=envelope["type"],
                          extra_headers={"nameko.correlation_id":
                                         envelope.get("correlation_id") or ""})
    return publish


class OutboxRelay(DependencyProvider):
    """Publishes this service's outbox. ``outbox = OutboxRelay()`` in the service class.

    The dependency it injects is ``add_event``-like: ``self.outbox.add(session, envelope)``.
    It wakes right after every worker and otherwise every ``OUTBOX_INTERVAL`` seconds."""

    def __init__(self, interval=None):
        self.interval = interval
        self._wake = Event()
        self._gt = None
        self._running = False

    def setup(self):
        config = self.container.config
        self.interval = self.interval or float(config.get("OUTBOX_INTERVAL", 0.5))
        self.engine = make_engine(config["DB_URL"])
        self.Session = sessionmaker(bind=self.engine)
        self.publish = count_published(self.container.service_name, event_publisher(
            config[AMQP_URI_CONFIG_KEY], self.container.service_name, config))

    def start(self):
        self._running = True
        self._gt = self.container.spawn_managed_thread(self._loop)

    def stop(self):
        self._running = False
        self._kick()
        if self._gt is not None:
            self._gt.wait()

    def kill(self):
        self._running = False
        if self._gt is not None:
            self._gt.kill()

    def _kick(self):
        if not self._wake.ready():
            self._wake.send(True)

    def flush(self):
        total = 0
        while True:
            n = publish_pending(self.Session, self.publish)
            total += n
            if n < 100:
                return total

    def _loop(self):
        while self._running:
            try:
                self.flush()
            except Exception as exc:   # database away: keep the loop alive
                log.warning("outbox relay pass failed: %s", exc)
            with eventlet.Timeout(self.interval, False):
                self._wake.wait()
            self._wake = Event()

    def get_dependency(self, worker_ctx):
        return self

    def add(self, session, envelope):
        add_event(session, envelope)

    def worker_teardown(self, worker_ctx):
        self._kick()

    def backlog(self):
        session = self.Session()
        try:
            return backlog(session)
        finally:
            session.close()


def broker_reachable(amqp_uri, timeout=3):
    """True when RabbitMQ answers at ``amqp_uri`` (used by start scripts and health checks)."""
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False
