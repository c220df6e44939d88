"""The demo's analytics: two full runs four weeks apart, so the pages have figures and a month of changes
("moved from B to A", "became dormant", "bought again") to show, and the reactivation queue its cases."""

import datetime as dt

from orbit.analytics.compute import run_now


def write_analytics(today: dt.date) -> int:
    run_now(as_of=today - dt.timedelta(days=28))
    return run_now(as_of=today).changes
