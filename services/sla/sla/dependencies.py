"""The SLA service's own Nameko extensions: its settings (the rules it is configured with),
an "inbox" gate for its timer, and a timer whose interval comes from the config."""
import logging
import time

from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from osac_shared.calendar import calendar_from_config

from .domain import DEFAULT_RULES, POLICIES, Rules, policies_from_config

log = logging.getLogger(__name__)


def _whole_hours(config, key, default):
    value = config.get(key)
    value = default if value in (None, "") else value
    if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
        raise ValueError(f"{key} must be a whole number of working hours >= 1, got {value!r}")
    return int(value)


def rules_from_config(config):
    """``domain.Rules`` from the service config (every key optional; bad values stop the
    service at start with a message naming the key)."""
    share = float(config.get("SLA_WARNING_SHARE") or DEFAULT_RULES.warning_share)
    if not 0 < share <= 1:
        raise ValueError(f"SLA_WARNING_SHARE must be in (0, 1], got {share}")
    return Rules(
        cal=calendar_from_config(config), warning_share=share,
        acceptance_hours=_whole_hours(config, "SLA_ACCEPTANCE_HOURS",
                                      DEFAULT_RULES.acceptance_hours),
        green_hours=_whole_hours(config, "SLA_GREEN_LIMIT_HOURS", DEFAULT_RULES.green_hours),
        escalate_hours=_whole_hours(config, "SLA_ESCALATE_AFTER_HOURS",
                                    DEFAULT_RULES.escalate_hours),
        policies=policies_from_config(config.get("SLA_POLICIES")) or POLICIES)


class Settings(DependencyProvider):
    """``self.settings.rules``: built once at start."""

    def setup(self):
        self.rules = rules_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self


class Inbox(DependencyProvider):
    """``self.inbox.settled()``: True once the service has run ``SLA_STARTUP_GRACE`` seconds
    and none of its event queues holds a message waiting, nor is one being handled (a
    delivered message is no longer "waiting": it counts here from its worker's setup to its
    teardown). The timer judges deadlines only then, so after an outage the events that
    closed cases meanwhile are read before any breach is raised (a case finished on time
    while the SLA was down is never called late)."""

    def setup(self):
        config = self.container.config
        self.amqp_uri = config[AMQP_URI_CONFIG_KEY]
        self.grace = float(config.get("SLA_STARTUP_GRACE") or 3)
        self.started = time.monotonic()
        self.conn = self.channel = None
        self.handling = 0             # event workers running now

    def start(self):
        self.started = time.monotonic()

    def stop(self):
        self._close()

    kill = stop

    def _close(self):
        if self.conn is not None:
            try:
                self.conn.collect()
            except Exception:
                pass
        self.conn = self.channel = None

    def worker_setup(self, worker_ctx):
        if isinstance(worker_ctx.entrypoint, EventHandler):
            self.handling += 1

    def worker_teardown(self, worker_ctx):
        if isinstance(worker_ctx.entrypoint, EventHandler):
            self.handling -= 1

    def queues(self):
        return sorted(ep.queue.name for ep in self.container.entrypoints
                      if isinstance(ep, EventHandler))

    def waiting(self):
        """Messages ready in this service's event queues (all instances share them); one
        connection, kept between ticks (only the timer's one worker at a time uses it)."""
        if self.channel is None:
            self.conn = Connection(self.amqp_uri, connect_timeout=3)
            self.channel = self.conn.channel()
        return sum(self.channel.queue_declare(queue=name, passive=True).message_count
                   for name in self.queues())

    def settled(self):
        if time.monotonic() - self.started < self.grace:
            return False
        try:
            waiting = self.waiting()
        except Exception as exc:      # broker away: nothing can be published either
            self._close()
            log.warning("sla: cannot see the inbox (%s); alarms wait", exc)
            return False
        if waiting or self.handling:      # (checked after the queues: delivered by now)
            log.info("sla: %d events waiting, %d being read; alarms wait", waiting,
                     self.handling)
        return waiting == 0 and self.handling == 0

    def get_dependency(self, worker_ctx):
        return self


class ConfigTimer(Timer):
    """``@ConfigTimer.decorator("SLA_TICK", 5)``: fires every ``config[key]`` seconds."""

    def __init__(self, config_key, default, **kwargs):
        self.config_key = config_key
        super().__init__(interval=float(default), **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.config_key) or self.interval)
        super().setup()
