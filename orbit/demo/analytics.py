"""The demo's analytics: two full runs four weeks apart, so the pages have figures and a month of changes
("moved from B to A", "became dormant", "bought again") to show, and the reactivation queue its cases."""

import datetime as dt

from orbit.analytics.compute import run_now


def write_analytics(today: dt.date, now: dt.datetime) -> int:
    """Stamped at the demo's moments (the same data for the same seed and day) and without the managers'
    digest, which is news of the moment, not of the story."""
    weeks = dt.timedelta(days=28)
    run_now(as_of=today - weeks, moment=now - weeks, notify=False)
    return run_now(as_of=today, moment=now, notify=False).changes
