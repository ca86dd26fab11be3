"""``calendar = WorkCalendar()``: the working calendar built once from the service config
(CALENDAR_COVERED_YEARS, CALENDAR_CLOSURES, CALENDAR_EXTRA_WORKDAYS)."""
from nameko.extensions import DependencyProvider

from osac_shared.calendar import calendar_from_config


class WorkCalendar(DependencyProvider):
    def setup(self):
        self.calendar = calendar_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.calendar
