"""SLA-style business-hours arithmetic on the default calendar «Россия (Москва)» (09:00-18:00, Mon-Fri, the
official production calendars). Every expected value is worked out by hand in the comment next to it."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from orbit.worktime import services
from orbit.worktime.models import CalendarYear, DayKind, WorkCalendar
from orbit.worktime.services import (
    CalendarYearMissing,
    add_business_hours,
    business_hours_between,
    default_calendar,
)

MSK = ZoneInfo("Europe/Moscow")
NSK = ZoneInfo("Asia/Novosibirsk")
UTC = dt.UTC
H = dt.timedelta(hours=1)


def msk(*args):
    return dt.datetime(*args, tzinfo=MSK)


@pytest.fixture
def cal(db):
    return default_calendar()


def test_default_calendar_is_moscow_nine_to_six_monday_to_friday(cal):
    assert cal.name == "Россия (Москва)"
    assert (cal.time_zone, cal.day_starts, cal.day_ends, cal.working_weekdays) == (
        "Europe/Moscow",
        dt.time(9),
        dt.time(18),
        "12345",
    )
    assert set(cal.years.values_list("year", flat=True)) >= {2025, 2026, 2027}
    assert WorkCalendar.objects.filter(is_default=True).count() == 1


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Mon 17:00 + 4 h: 1 h on Monday, 3 h on Tuesday from 09:00.
        (msk(2026, 11, 23, 17), 4, msk(2026, 11, 24, 12)),
        # Over the night and the weekend: Fri 16:00 + 8 h = 2 h Friday + 6 h Monday 30 Nov -> 15:00.
        (msk(2026, 11, 27, 16), 8, msk(2026, 11, 30, 15)),
        # A whole working day from its start ends at 18:00 the same day, not at 09:00 the next.
        (msk(2026, 11, 23, 9), 9, msk(2026, 11, 23, 18)),
        # Started at night: Tue 02:00 + 1 h counts from 09:00 Tuesday.
        (msk(2026, 11, 24, 2), 1, msk(2026, 11, 24, 10)),
        # Started on Saturday: nothing counts before Monday 09:00.
        (msk(2026, 11, 28, 11), Decimal("2.5"), msk(2026, 11, 30, 11, 30)),
        # New-Year holidays 2026/27: Wed 30 Dec 12:00 + 10 h = 6 h on 30 Dec; 31 Dec (transfer from 3 Jan) and
        # 1-10 Jan 2027 are off; Monday 11 Jan from 09:00 takes the other 4 h -> 13:00.
        (msk(2026, 12, 30, 12), 10, msk(2027, 1, 11, 13)),
        # New-Year holidays 2025/26: Tue 30 Dec 15:00 + 5 h = 3 h; off 31 Dec-11 Jan; 2 h on Mon 12 Jan -> 11:00.
        (msk(2025, 12, 30, 15), 5, msk(2026, 1, 12, 11)),
        # 9 January 2026 (Friday) is off by transfer from Saturday 3 January: Thu 8 Jan is a holiday too.
        (msk(2026, 1, 8, 10), 1, msk(2026, 1, 12, 10)),
        # A transferred working Saturday: Fri 31 Oct 2025 17:00 + 3 h = 1 h Friday + 2 h on Saturday 1 Nov
        # (a working day, short: 09:00-17:00) -> 11:00.
        (msk(2025, 10, 31, 17), 3, msk(2025, 11, 1, 11)),
        # ... and its shortened end: Sat 1 Nov 15:00 + 3 h = 2 h (to 17:00); 2 Nov Sunday, 3 Nov off (moved
        # from 1 Nov), 4 Nov holiday; 1 h on Wed 5 Nov -> 10:00.
        (msk(2025, 11, 1, 15), 3, msk(2025, 11, 5, 10)),
        # A short pre-holiday day: Thu 30 Apr 2026 ends at 17:00. 14:00 + 4 h = 3 h, then 1 May (holiday),
        # 2-3 May weekend; 1 h on Mon 4 May -> 10:00.
        (msk(2026, 4, 30, 14), 4, msk(2026, 5, 4, 10)),
        # 2025: 23 Feb (Sunday) moved to Thu 8 May, 9 May holiday: Wed 7 May (a full day) 17:00 + 2 h -> Mon 12 May 10:00.
        (msk(2025, 5, 7, 17), 2, msk(2025, 5, 12, 10)),
        # 2027: Sat 20 Feb is worked (short) and Mon 22 Feb is off: Fri 19 Feb 17:30 + 1 h -> Sat 09:30.
        (msk(2027, 2, 19, 17, 30), 1, msk(2027, 2, 20, 9, 30)),
        # Zero hours from inside working time: the start itself; from a non-working moment: the next working one.
        (msk(2026, 11, 24, 11, 15), 0, msk(2026, 11, 24, 11, 15)),
        (msk(2026, 11, 28, 10), 0, msk(2026, 11, 30, 9)),
        (msk(2026, 11, 24, 18), 0, msk(2026, 11, 25, 9)),
    ],
)
def test_add_business_hours_hand_worked(cal, start, hours, due):
    result = add_business_hours(cal, start, hours)
    assert result == due
    assert result.tzinfo == MSK and result.utcoffset() == dt.timedelta(hours=3)


def test_a_request_created_at_night_in_novosibirsk(cal):
    # 23:30 on Monday in Novosibirsk (UTC+7) is 19:30 Monday in Moscow: after hours. A 2-hour first-response
    # SLA runs from 09:00 Tuesday Moscow time -> 11:00 MSK (15:00 in Novosibirsk).
    created = dt.datetime(2026, 11, 23, 23, 30, tzinfo=NSK)
    due = add_business_hours(cal, created, 2)
    assert due == msk(2026, 11, 24, 11)
    assert due.astimezone(NSK).hour == 15
    # 00:30 on Tuesday in Novosibirsk is still Monday 20:30 in Moscow: the Moscow date decides.
    assert add_business_hours(cal, dt.datetime(2026, 11, 24, 0, 30, tzinfo=NSK), 1) == msk(2026, 11, 24, 10)
    # 12:30 Novosibirsk = 08:30 Moscow, before opening: + 1 h -> 10:00 Moscow.
    assert add_business_hours(cal, dt.datetime(2026, 11, 24, 12, 30, tzinfo=NSK), 1) == msk(2026, 11, 24, 10)


def test_moscow_has_no_daylight_saving(cal):
    # Europe changes its clocks on 29 March 2026; Moscow does not: the working day is 06:00-15:00 UTC all year.
    friday = dt.datetime(2026, 3, 27, 14, tzinfo=UTC)  # 17:00 MSK
    assert add_business_hours(cal, friday, 2) == dt.datetime(2026, 3, 30, 7, tzinfo=UTC)  # Mon 10:00 MSK
    berlin = ZoneInfo("Europe/Berlin")
    # 08:00 in Berlin on 1 July (summer time, UTC+2) is 09:00 in Moscow: the Moscow day has just begun.
    assert add_business_hours(cal, dt.datetime(2026, 7, 1, 8, tzinfo=berlin), 1) == msk(2026, 7, 1, 10)
    # 07:00 in Berlin on 14 January (winter time, UTC+1) is also 09:00 in Moscow.
    assert add_business_hours(cal, dt.datetime(2026, 1, 14, 7, tzinfo=berlin), 1) == msk(2026, 1, 14, 10)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Fri 16:00 -> Mon 11:00: 2 h + 2 h.
        (msk(2026, 11, 27, 16), msk(2026, 11, 30, 11), 4),
        # Over the New-Year holidays: 3 h on 30 Dec 2025 + 2 h on 12 Jan 2026.
        (msk(2025, 12, 30, 15), msk(2026, 1, 12, 11), 5),
        # Both ends outside working time, a weekend between: Fri 20:00 -> Mon 08:00 = 0.
        (msk(2026, 11, 27, 20), msk(2026, 11, 30, 8), 0),
        # The short Saturday 1 Nov 2025 counts 8 h.
        (msk(2025, 11, 1), msk(2025, 11, 2), 8),
        # The end before the start: zero, not negative.
        (msk(2026, 11, 30, 11), msk(2026, 11, 27, 16), 0),
    ],
)
def test_business_hours_between_hand_worked(cal, start, end, hours):
    assert business_hours_between(cal, start, end) == dt.timedelta(hours=hours)


@pytest.mark.parametrize(
    ("year", "working_days", "short_days", "norm_40h"),
    [
        # The published totals of each production calendar (five-day week, 40 h a week).
        (2024, 248, 5, 1979),
        (2025, 247, 4, 1972),
        (2026, 247, 4, 1972),
        (2027, 247, 4, 1972),
    ],
)
def test_each_year_matches_the_official_totals(cal, year, working_days, short_days, norm_40h):
    year_hours = business_hours_between(cal, msk(year, 1, 1), msk(year + 1, 1, 1)) if year < 2027 else None
    days = [dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range(366 if year == 2024 else 365)]

    def is_worked(day):
        try:
            return add_business_hours(cal, dt.datetime.combine(day, dt.time(9), MSK), 0).date() == day
        except CalendarYearMissing:  # 31 Dec 2027 is off: the next working moment lies in 2028
            return False

    worked = [d for d in days if is_worked(d)]
    short = [  # 9 h from 09:00 end at 18:00 the same day unless the day is an hour shorter
        d
        for d in worked
        if add_business_hours(cal, dt.datetime.combine(d, dt.time(9), MSK), 9)
        != dt.datetime.combine(d, dt.time(18), MSK)
    ]
    assert len(worked) == working_days
    assert len(short) == short_days
    assert working_days * 8 - short_days == norm_40h
    if year_hours is not None:  # the calendar's own day is 9 h (09:00-18:00)
        assert year_hours == dt.timedelta(hours=working_days * 9 - short_days)


def test_missing_year_is_a_clear_error(cal):
    with pytest.raises(CalendarYearMissing) as caught:
        add_business_hours(cal, msk(2028, 3, 1, 10), 1)
    assert caught.value.year == 2028 and caught.value.calendar == cal
    # 2027 is entered, but 30 Dec 2027 10:00 + 20 h runs past 31 Dec (off): it would need 2028.
    with pytest.raises(CalendarYearMissing) as caught:
        add_business_hours(cal, msk(2027, 12, 30, 10), 20)
    assert caught.value.year == 2028
    with pytest.raises(CalendarYearMissing) as caught:
        business_hours_between(cal, msk(2023, 12, 29, 10), msk(2024, 1, 10, 10))
    assert caught.value.year == 2023
    with translation.override("en"):
        assert caught.value.messages == [
            "The working calendar “Россия (Москва)” has no production calendar for 2023: "
            "enter that year and its holidays before counting business hours in it."
        ]
    with translation.override("ru"):
        (message,) = caught.value.messages
        assert "Россия (Москва)" in message and "2023" in message and "производственн" in message


def test_a_gap_between_entered_years_is_refused_not_counted_as_working(cal):
    CalendarYear.objects.filter(calendar=cal, year=2026).delete()
    cal.refresh_from_db()
    with pytest.raises(CalendarYearMissing) as caught:
        business_hours_between(cal, msk(2025, 12, 30, 10), msk(2027, 1, 12, 10))
    assert caught.value.year == 2026
    with pytest.raises(CalendarYearMissing) as caught:
        add_business_hours(cal, msk(2025, 12, 30, 17), 2)  # 1 h in 2025, the rest would fall in 2026
    assert caught.value.year == 2026


def test_a_change_to_the_calendar_is_seen_by_the_next_computation(cal, org):
    start = msk(2026, 11, 27, 16)
    assert add_business_hours(cal, start, 8) == msk(2026, 11, 30, 15)
    services.day_set(by=org.head, calendar=cal, date=dt.date(2026, 11, 30), kind=DayKind.HOLIDAY, note="x")
    assert add_business_hours(cal, start, 8) == msk(2026, 12, 1, 15)  # Monday became a holiday
    fresh = WorkCalendar.objects.get(pk=cal.pk)  # another process would load the calendar anew
    assert add_business_hours(fresh, start, 8) == msk(2026, 12, 1, 15)
    services.day_remove(by=org.head, calendar=cal, date=dt.date(2026, 11, 30))
    assert add_business_hours(cal, start, 8) == msk(2026, 11, 30, 15)
    services.calendar_update(by=org.head, calendar=cal, version=None, day_starts=dt.time(10))
    fresh = WorkCalendar.objects.get(pk=cal.pk)
    # 10:00-18:00 now: 2 h on Friday, 6 h on Monday from 10:00 -> 16:00.
    assert add_business_hours(fresh, start, 8) == msk(2026, 11, 30, 16)


def test_other_time_zone_and_weekly_rule(org):
    vladivostok = services.calendar_create(
        by=org.head,
        name="Владивосток, шестидневка",
        time_zone="Asia/Vladivostok",
        day_starts=dt.time(8),
        day_ends=dt.time(17),
        working_weekdays="123456",
    )
    services.year_add(by=org.head, calendar=vladivostok, year=2026)
    vlat = ZoneInfo("Asia/Vladivostok")
    # Saturday is worked here: Fri 28 Nov... Fri 27 Nov 16:00 local + 3 h = 1 h Fri + 2 h Sat from 08:00.
    assert add_business_hours(vladivostok, dt.datetime(2026, 11, 27, 16, tzinfo=vlat), 3) == dt.datetime(
        2026, 11, 28, 10, tzinfo=vlat
    )
    # The statutory holiday 4 November (Wednesday) was pre-filled: Tue 3 Nov 16:00 + 2 h -> Thu 5 Nov 09:00.
    assert add_business_hours(vladivostok, dt.datetime(2026, 11, 3, 16, tzinfo=vlat), 2) == dt.datetime(
        2026, 11, 5, 9, tzinfo=vlat
    )


def test_bad_arguments(cal):
    with pytest.raises(ValueError):
        add_business_hours(cal, dt.datetime(2026, 11, 23, 10), 1)  # noqa: DTZ001 -- a naive moment is refused
    with pytest.raises(ValueError):
        add_business_hours(cal, msk(2026, 11, 23, 10), -1)
    with pytest.raises(ValueError):
        business_hours_between(cal, msk(2026, 11, 23, 10), dt.datetime(2026, 11, 24))  # noqa: DTZ001 -- naive: refused


def test_computation_reads_the_database_once_per_calendar_revision(cal, django_assert_num_queries):
    add_business_hours(cal, msk(2026, 11, 23, 10), 1)  # builds the timeline
    with django_assert_num_queries(0):
        for n in range(200):
            add_business_hours(cal, msk(2026, 11, 23, 10) + n * H, 37)
            business_hours_between(cal, msk(2025, 1, 1), msk(2026, 11, 23, 10) + n * H)


def test_a_calendar_in_a_zone_with_daylight_saving(org):
    berlin = ZoneInfo("Europe/Berlin")
    office = services.calendar_create(by=org.head, name="Berlin office", time_zone="Europe/Berlin")
    with pytest.raises(CalendarYearMissing):  # no year entered yet: nothing is counted
        add_business_hours(office, dt.datetime(2026, 3, 27, 17, tzinfo=berlin), 2)
    services.year_add(by=org.head, calendar=office, year=2026, statutory=False)
    # Clocks go forward on Sunday 29 March: Fri 17:00 CET (16:00 UTC) + 2 h = 1 h Friday + 1 h Monday from
    # 09:00 CEST -> 10:00 CEST, which is 08:00 UTC; wall-clock working hours stay 09:00-18:00.
    due = add_business_hours(office, dt.datetime(2026, 3, 27, 17, tzinfo=berlin), 2)
    assert due == dt.datetime(2026, 3, 30, 10, tzinfo=berlin)
    assert due.astimezone(UTC) == dt.datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert business_hours_between(office, dt.datetime(2026, 3, 27, 17, tzinfo=berlin), due) == 2 * H
    # The weekend itself had 47 hours of wall time, none of it working.
    assert business_hours_between(
        office, dt.datetime(2026, 3, 28, tzinfo=berlin), dt.datetime(2026, 3, 30, tzinfo=berlin)
    ) == dt.timedelta(0)
