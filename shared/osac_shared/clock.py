"""An injectable clock. Domain code never reads the time itself; it is handed ``now``.

``Clock()`` is a Nameko dependency whose value is a callable returning an aware datetime in
Asia/Shanghai. With the config key ``CLOCK_FILE`` set, the time is read from that file (one ISO
8601 timestamp) on every call, which lets tests move a running service through time.
"""
import os
from datetime import datetime
from zoneinfo import ZoneInfo

from nameko.extensions import DependencyProvider

TZ = ZoneInfo("Asia/Shanghai")


def system_now():
    return datetime.now(TZ)


def file_clock(path):
    def now():
        try:
            with open(path) as f:
                text = f.read().strip()
        except FileNotFoundError:
            return system_now()
        return datetime.fromisoformat(text).astimezone(TZ) if text else system_now()
    return now


def clock_from_config(config):
    path = config.get("CLOCK_FILE") or os.environ.get("CLOCK_FILE")
    return file_clock(path) if path else system_now


class Clock(DependencyProvider):
    def setup(self):
        self.now = clock_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.now
