"""Calendar changes: permission before anything is written, field errors, exactly one default."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orbit.worktime import services
from orbit.worktime.models import CalendarDay, CalendarYear, DayKind, WorkCalendar
from orbit.worktime.services import default_calendar


@pytest.fixture
def cal(db):
    return default_calendar()


@pytest.mark.parametrize("persona", ["am_a", "lead_a", "auditor", "outsider"])
def test_only_head_and_admin_change_calendars(org, cal, persona):
    user = getattr(org, persona)
    revision = cal.revision
    with pytest.raises(PermissionDenied):
        services.day_set(by=user, calendar=cal, date=dt.date(2026, 12, 1), kind=DayKind.HOLIDAY)
    with pytest.raises(PermissionDenied):
        services.day_remove(by=user, calendar=cal, date=dt.date(2026, 11, 4))
    with pytest.raises(PermissionDenied):
        services.year_add(by=user, calendar=cal, year=2028)
    with pytest.raises(PermissionDenied):
        services.calendar_update(by=user, calendar=cal, version=None, day_ends=dt.time(17))
    with pytest.raises(PermissionDenied):
        services.calendar_create(by=user, name="x")
    assert WorkCalendar.objects.get(pk=cal.pk).revision == revision  # nothing was touched
    assert CalendarDay.objects.filter(calendar=cal, date=dt.date(2026, 11, 4)).exists()
    assert not CalendarYear.objects.filter(year=2028).exists()


def test_admin_may(org, cal):
    day = services.day_set(by=org.admin, calendar=cal, date=dt.date(2026, 12, 1), kind=DayKind.HOLIDAY)
    assert day.kind == DayKind.HOLIDAY


def test_day_errors_name_the_field(org, cal):
    with pytest.raises(ValidationError) as caught:
        services.day_set(by=org.head, calendar=cal, date=dt.date(2031, 1, 2), kind=DayKind.HOLIDAY)
    assert set(caught.value.error_dict) == {"date"}
    with pytest.raises(ValidationError) as caught:
        services.day_set(by=org.head, calendar=cal, date=dt.date(2026, 12, 1), kind="bridge")
    assert set(caught.value.error_dict) == {"kind"}
    # A Saturday may become a working day; changing what a day is keeps one row.
    services.day_set(by=org.head, calendar=cal, date=dt.date(2026, 12, 5), kind=DayKind.WORKING)
    services.day_set(by=org.head, calendar=cal, date=dt.date(2026, 12, 5), kind=DayKind.SHORT, note=" сб ")
    (day,) = CalendarDay.objects.filter(calendar=cal, date=dt.date(2026, 12, 5))
    assert (day.kind, day.note) == (DayKind.SHORT, "сб")
    assert services.day_remove(by=org.head, calendar=cal, date=dt.date(2026, 12, 5)) is True
    assert services.day_remove(by=org.head, calendar=cal, date=dt.date(2026, 12, 5)) is False


def test_exactly_one_default(org, cal):
    other = services.calendar_create(by=org.head, name="Новосибирск", time_zone="Asia/Novosibirsk")
    assert not other.is_default and default_calendar() == cal
    with pytest.raises(ValidationError) as caught:
        services.calendar_update(by=org.head, calendar=cal, version=None, is_default=False)
    assert set(caught.value.error_dict) == {"is_default"}
    services.calendar_update(by=org.head, calendar=other, version=None, is_default=True)
    assert list(WorkCalendar.objects.filter(is_default=True)) == [other]
    assert default_calendar() == other


def test_hours_and_zone_are_validated(org, cal):
    with pytest.raises(ValidationError) as caught:
        services.calendar_update(
            by=org.head, calendar=cal, version=None, day_starts=dt.time(18), time_zone="Moscow"
        )
    assert set(caught.value.error_dict) == {"day_ends", "time_zone"}
    fresh = WorkCalendar.objects.get(pk=cal.pk)
    assert (fresh.day_starts, fresh.time_zone) == (dt.time(9), "Europe/Moscow")


def test_a_lost_default_calendar_is_restored(db):
    WorkCalendar.objects.all().delete()
    restored = default_calendar()
    assert restored.name == "Россия (Москва)" and restored.is_default
    assert set(restored.years.values_list("year", flat=True)) == {2024, 2025, 2026, 2027}
    assert restored.days.count() == 80
