"""Invariants of the business-hours arithmetic on the real default calendar, over random moments in any time
zone and random amounts of hours (hypothesis)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbit.worktime.services import add_business_hours, business_hours_between, default_calendar

ZONES = [
    ZoneInfo(z) for z in ("Europe/Moscow", "Asia/Novosibirsk", "Europe/Berlin", "America/New_York", "UTC")
]
LOW = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
HIGH = dt.datetime(2027, 10, 1, tzinfo=dt.UTC)  # + 300 h stays inside 2027, the last entered year

moments = st.builds(
    lambda seconds, zone: (LOW + dt.timedelta(seconds=seconds)).astimezone(zone),
    st.integers(0, int((HIGH - LOW).total_seconds())),
    st.sampled_from(ZONES),
)
amounts = st.decimals(min_value=0, max_value=300, places=2)
CHECKS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def cal(db):
    return default_calendar()


def _hours(delta: dt.timedelta) -> Decimal:
    return Decimal(delta // dt.timedelta(microseconds=1)) / Decimal(3_600_000_000)


@CHECKS
@given(start=moments, hours=amounts)
def test_between_undoes_add(cal, start, hours):
    due = add_business_hours(cal, start, hours)
    assert due >= start
    assert _hours(business_hours_between(cal, start, due)) == hours


@CHECKS
@given(start=moments, first=amounts, second=amounts)
def test_add_is_monotonic_and_composes(cal, start, first, second):
    low, high = sorted((first, second))
    assert add_business_hours(cal, start, low) <= add_business_hours(cal, start, high)
    # From a due moment the count goes on: 3 h then 2 h is 5 h. Not for a rest of zero: a due time at the end
    # of a day (18:00) plus nothing is the next working moment (09:00 next day), by design.
    if low > 0 and high > low:
        middle = add_business_hours(cal, start, low)
        assert add_business_hours(cal, middle, high - low) == add_business_hours(cal, start, high)


@CHECKS
@given(a=moments, b=moments, c=moments)
def test_between_is_additive_and_add_lands_on_the_last_working_moment(cal, a, b, c):
    start, middle, end = sorted((a, b, c))
    total = business_hours_between(cal, start, end)
    assert total == business_hours_between(cal, start, middle) + business_hours_between(cal, middle, end)
    assert total <= end - start
    if total:
        due = add_business_hours(cal, start, _hours(total))
        assert start < due <= end
        assert business_hours_between(cal, due, end) == dt.timedelta(0)
