"""``calendar = WorkCalendar()``: the working calendar built once from the service config
(CALENDAR_COVERED_YEARS, CALENDAR_CLOSURES, CALENDAR_EXTRA_WORKDAYS); ``base_rate =
WorkStudyBaseRate()``: the work-study hourly rate (WORK_STUDY_BASE_RATE)."""
from nameko.extensions import DependencyProvider

from osac_shared.calendar import calendar_from_config

from .wages import base_rate


class WorkCalendar(DependencyProvider):
    def setup(self):
        self.calendar = calendar_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.calendar


class WorkStudyBaseRate(DependencyProvider):
    """``base_rate = WorkStudyBaseRate()``: ``WORK_STUDY_BASE_RATE`` (yuan/hour, default 15)
    as a Decimal, checked once at start."""

    def setup(self):
        self.rate = base_rate(self.container.config.get("WORK_STUDY_BASE_RATE"))

    def get_dependency(self, worker_ctx):
        return self.rate
