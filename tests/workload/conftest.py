import datetime as dt

import pytest
from django.core.cache import cache

from orbit.workload.models import NormOverride
from orbit.worktime.models import CalendarDay, CalendarYear, DayKind, WorkCalendar


@pytest.fixture(autouse=True)
def _fresh_norm_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def calendar(db):
    """A default calendar of 2026 with known hours: Mon–Fri 9:00–17:00 (8 hours), no holiday but one,
    Wednesday 4 November, and one short day before it, Tuesday 3 November (7 hours).

    2026 starts on a Thursday and is not a leap year: 52 weeks and a Thursday = 261 weekdays;
    less the holiday 260 working days × 8 = 2080 hours, less the short day's hour = 2079 hours;
    an average month 2079 / 12 = 173.25 hours.
    November 2026 (1 November is a Sunday): 21 weekdays, less the holiday 20 × 8 = 160, less 1 = 159 hours.
    """
    WorkCalendar.objects.update(is_default=False)
    made = WorkCalendar.objects.create(
        name="Test 8h",
        time_zone="Europe/Moscow",
        day_starts=dt.time(9),
        day_ends=dt.time(17),
        is_default=True,
    )
    CalendarYear.objects.create(calendar=made, year=2026)
    CalendarDay.objects.create(calendar=made, date=dt.date(2026, 11, 4), kind=DayKind.HOLIDAY)
    CalendarDay.objects.create(calendar=made, date=dt.date(2026, 11, 3), kind=DayKind.SHORT)
    made.refresh_from_db()
    return made


def set_norms(by, **tiers):
    """tier → (touches a month, minutes per touch, requests a month, minutes per request)."""
    for tier, (touches, touch_minutes, requests, request_minutes) in tiers.items():
        version = NormOverride.objects.filter(tier=tier).order_by("-version").first() or None
        NormOverride.objects.create(
            tier=tier,
            version=(version.version + 1) if version else 1,
            touches_per_month=touches,
            touch_minutes=touch_minutes,
            requests_per_month=requests,
            request_minutes=request_minutes,
            created_by=by,
        )
