"""The SLA service's own Nameko extensions: its settings, its working calendar, and a timer
whose interval comes from the config (``@timer`` takes a constant)."""
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from osac_shared.calendar import calendar_from_config

from .domain import DEFAULT_WARNING_SHARE


class Settings(DependencyProvider):
    """``self.settings``: the working calendar and the warning share, built once at start."""

    def setup(self):
        config = self.container.config
        self.calendar = calendar_from_config(config)
        share = float(config.get("SLA_WARNING_SHARE") or DEFAULT_WARNING_SHARE)
        if not 0 < share <= 1:
            raise ValueError(f"SLA_WARNING_SHARE must be in (0, 1], got {share}")
        self.warning_share = share

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
