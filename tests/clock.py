"""Fixed clock times for the tests whose answer depends on the day.

A person's day is local (TIME_ZONE, Moscow by default), the database stores UTC: the hours when the UTC date
and the local date differ are where "today" goes wrong. A test marked `@pytest.mark.clock` runs once at each
of these moments (time-machine moves Python's clock; PostgreSQL's own now() is not moved, so Orbit takes its
times from `timezone.now()`). `ORBIT_TEST_CLOCK` moves the clock of a whole run (see tests/conftest.py).
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone


@dataclass(frozen=True)
class Clock:
    name: str
    zone: str
    moment: dt.datetime  # aware, in `zone`

    @property
    def today(self) -> dt.date:
        return self.moment.date()


def _at(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


CLOCKS = [
    # One minute before local midnight: the UTC date is the same, the next minute both change.
    Clock("msk-23:59", "Europe/Moscow", _at("Europe/Moscow", 2026, 12, 1, 23, 59)),
    # Just after local midnight and just before 03:00: in Moscow (UTC+3) the UTC date is still yesterday.
    Clock("msk-00:01", "Europe/Moscow", _at("Europe/Moscow", 2026, 12, 2, 0, 1)),
    Clock("msk-02:59", "Europe/Moscow", _at("Europe/Moscow", 2026, 12, 2, 2, 59)),
    # The day the clocks go forward in Berlin (23 hours long), half an hour after its midnight.
    Clock("berlin-dst-00:30", "Europe/Berlin", _at("Europe/Berlin", 2027, 3, 28, 0, 30)),
    # The day the clocks go back in New York (25 hours long), late evening: there the UTC date is tomorrow.
    Clock("newyork-dst-23:30", "America/New_York", _at("America/New_York", 2026, 11, 1, 23, 30)),
]


def local(*args: int) -> dt.datetime:
    """An aware moment in the current time zone: local(2024, 1, 10, 12) is noon of 10 January there."""
    return dt.datetime(*args, tzinfo=timezone.get_current_timezone())
