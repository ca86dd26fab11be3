"""The SLA's gauges for ``osac_shared.observability.Metrics``, read at every scrape: open
deadlines and open deadlines already past due (breached), by department and timer."""
from collections import Counter

from osac_shared.observability import GAUGES

from . import store
from .domain import ACTIVE, BREACHED

OPEN_GAUGE, BREACHED_GAUGE = "osac_sla_open_deadlines", "osac_sla_breached_deadlines"


def gauges(session):
    """[(name, help, {department, timer}, count)] for ``Metrics(gauges=...)``."""
    opened, breached = Counter(), Counter()
    for department, timer, status, n in store.counts_by_status(session, ACTIVE):
        opened[(department, timer)] += n
        if status == BREACHED:
            breached[(department, timer)] += n
    out = []
    for name, counts in ((OPEN_GAUGE, opened), (BREACHED_GAUGE, breached)):
        for (department, timer), n in sorted(counts.items()):
            out.append((name, GAUGES[name][0], {"department": department, "timer": timer}, n))
    return out
