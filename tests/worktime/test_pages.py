"""The calendar pages: only the head of department and administrators; field errors; nothing half-saved."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from orbit.worktime.models import CalendarDay, CalendarYear, DayKind, WorkCalendar
from orbit.worktime.services import add_business_hours, default_calendar

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def cal(db):
    return default_calendar()


@pytest.fixture
def head(client, org):
    client.force_login(org.head)
    return client


def _day_url(calendar, day):
    return reverse("worktime:day", args=[calendar.pk, day])


def test_settings_page_links_to_the_calendars(head):
    page = head.get(reverse("access:visibility")).content.decode()
    assert reverse("worktime:list") in page


def test_list_and_year_grid(head, cal, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = head.get(reverse("worktime:list"))
    assert response.status_code == 200
    (row,) = [c for c in response.context["calendars"] if c.pk == cal.pk]
    assert (row.year_count, row.day_count) == (4, 80)
    with django_assert_max_num_queries(10):
        response = head.get(reverse("worktime:detail", args=[cal.pk]), {"year": 2026})
    months = response.context["months"]
    assert [m.working_days for m in months] == [15, 19, 21, 22, 19, 21, 23, 21, 22, 22, 20, 22]
    assert sum(m.working_days for m in months) == 247
    may = months[4]
    (first_week, *_rest) = may.weeks
    # 1 May 2026 is a Friday: Mon-Thu belong to April (empty cells), then the holiday and the weekend.
    assert [c.date.day if c.date else None for c in first_week] == [None, None, None, None, 1, 2, 3]
    assert first_week[4].kind == DayKind.HOLIDAY and not first_week[4].working
    eighth = may.weeks[1][4]
    assert (eighth.date, eighth.kind, eighth.hours) == (dt.date(2026, 5, 8), DayKind.SHORT, 8)
    # May: 19 working days, one of them short (8 May; 30 April is in April): 19 * 9 - 1 = 170 h.
    assert may.hours == 170
    page = response.content.decode()
    assert "wt-holiday" in page and "wt-short" in page
    assert _day_url(cal, "2026-05-08") in page


def test_a_year_not_entered_is_shown_as_such(head, cal):
    response = head.get(reverse("worktime:detail", args=[cal.pk]), {"year": 2030})
    assert response.status_code == 200
    assert response.context["entry"] is None and response.context["months"] == []


@pytest.mark.parametrize("persona", ["am_a", "lead_a", "auditor", "sales"])
def test_managers_and_the_auditor_get_403_and_change_nothing(client, org, cal, persona):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("worktime:list")).status_code == 403
    assert client.get(reverse("worktime:detail", args=[cal.pk])).status_code == 403
    response = client.post(_day_url(cal, "2026-11-30"), {"kind": DayKind.HOLIDAY})
    assert response.status_code == 403
    response = client.post(reverse("worktime:year_add", args=[cal.pk]), {"year": 2028})
    assert response.status_code == 403
    response = client.post(reverse("worktime:day_remove", args=[cal.pk, "2026-11-04"]))
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(calendar=cal, date=dt.date(2026, 11, 30)).exists()
    assert CalendarDay.objects.filter(calendar=cal, date=dt.date(2026, 11, 4)).exists()
    assert not CalendarYear.objects.filter(calendar=cal, year=2028).exists()


def test_head_marks_a_day_and_the_sla_moves(head, cal):
    response = head.post(_day_url(cal, "2026-11-30"), {"kind": DayKind.HOLIDAY, "note": "День города"})
    assert response.status_code == 302
    assert response.url == reverse("worktime:detail", args=[cal.pk]) + "?year=2026"
    day = CalendarDay.objects.get(calendar=cal, date=dt.date(2026, 11, 30))
    assert (day.kind, day.note) == (DayKind.HOLIDAY, "День города")
    assert day.history.first().history_user.username == "head"
    fresh = WorkCalendar.objects.get(pk=cal.pk)
    # Fri 16:00 + 8 h: 2 h Friday, Monday 30 Nov is now off, 6 h on Tuesday -> 15:00.
    assert add_business_hours(fresh, dt.datetime(2026, 11, 27, 16, tzinfo=MSK), 8) == dt.datetime(
        2026, 12, 1, 15, tzinfo=MSK
    )
    form = head.get(_day_url(cal, "2026-11-30")).context["form"]
    assert form.initial == {"kind": DayKind.HOLIDAY, "note": "День города"}
    assert head.post(reverse("worktime:day_remove", args=[cal.pk, "2026-11-30"])).status_code == 302
    assert not CalendarDay.objects.filter(calendar=cal, date=dt.date(2026, 11, 30)).exists()


def test_day_field_errors(head, cal):
    with translation.override("en"):
        response = head.post(_day_url(cal, "2026-11-30"), {"note": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    # A transferred working day on a Monday makes no sense: refused on the field.
    response = head.post(_day_url(cal, "2026-11-30"), {"kind": DayKind.WORKING})
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    # A day outside the entered years is refused.
    response = head.post(_day_url(cal, "2030-01-10"), {"kind": DayKind.HOLIDAY})
    assert response.status_code == 200
    assert "2030" in " ".join(response.context["form"].non_field_errors())
    assert not CalendarDay.objects.filter(calendar=cal, date__year=2030).exists()
    assert head.get(_day_url(cal, "2026-02-30")).status_code == 404
    assert head.get(_day_url(cal, "tomorrow")).status_code == 404


def test_field_errors_are_in_russian(client, org, cal):
    client.force_login(org.head)
    response = client.post(_day_url(cal, "2026-11-30"), {"kind": DayKind.WORKING}, HTTP_ACCEPT_LANGUAGE="ru")
    (message,) = response.context["form"].errors["kind"]
    assert "30.11.2026" in message and "рабоч" in message


def test_entering_a_year_lets_the_sla_run_into_it(head, cal):
    start = dt.datetime(2027, 12, 30, 10, tzinfo=MSK)
    response = head.post(
        reverse("worktime:year_add", args=[cal.pk]), {"year": 2028, "source": "проект", "statutory": "on"}
    )
    assert response.status_code == 302 and response.url.endswith("?year=2028")
    holidays = CalendarDay.objects.filter(calendar=cal, date__year=2028).values_list("date", flat=True)
    # The statutory holidays of 2028 that fall on weekdays: 3-7 Jan, 23 Feb, 8 Mar, 1 May, 9 May, 12 Jun
    # (1-2 and 8 Jan are a weekend; 4 Nov is a Saturday).
    assert sorted(d.strftime("%m-%d") for d in holidays) == [
        "01-03",
        "01-04",
        "01-05",
        "01-06",
        "01-07",
        "02-23",
        "03-08",
        "05-01",
        "05-09",
        "06-12",
    ]
    fresh = WorkCalendar.objects.get(pk=cal.pk)
    # 30 Dec 2027 10:00 + 20 h: 8 h on the 30th; 31 Dec off; 1-2 Jan weekend; 3-7 Jan holidays; 8-9 Jan
    # weekend; 9 h on Mon 10 Jan; the last 3 h on Tue 11 Jan -> 12:00.
    assert add_business_hours(fresh, start, 20) == dt.datetime(2028, 1, 11, 12, tzinfo=MSK)


def test_year_errors(head, cal):
    response = head.post(reverse("worktime:year_add", args=[cal.pk]), {"year": 2026})
    assert response.status_code == 200 and "year" in response.context["year_form"].errors
    response = head.post(reverse("worktime:year_add", args=[cal.pk]), {"year": 1812})
    assert "year" in response.context["year_form"].errors
    assert CalendarYear.objects.filter(calendar=cal).count() == 4


def _calendar_data(calendar, **overrides):
    data = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "day_starts": "09:00",
        "day_ends": "18:00",
        "working_weekdays": ["1", "2", "3", "4", "5"],
        "is_default": "on",
        "version": calendar.version,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_hours_and_time_zone(head, cal):
    url = reverse("worktime:edit", args=[cal.pk])
    assert head.get(url).status_code == 200
    response = head.post(url, _calendar_data(cal, day_starts="08:30", time_zone="Asia/Yekaterinburg"))
    assert response.status_code == 302
    cal.refresh_from_db()
    assert (cal.day_starts, cal.time_zone, cal.version) == (dt.time(8, 30), "Asia/Yekaterinburg", 2)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day_starts": "19:00"}, "day_ends"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"working_weekdays": None}, "working_weekdays"),
        ({"is_default": None}, "is_default"),  # the only default cannot stop being one
        ({"name": ""}, "name"),
    ],
)
def test_edit_field_errors_save_nothing(head, cal, overrides, field):
    response = head.post(reverse("worktime:edit", args=[cal.pk]), _calendar_data(cal, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    fresh = WorkCalendar.objects.get(pk=cal.pk)
    assert (fresh.day_starts, fresh.time_zone, fresh.is_default, fresh.version) == (
        dt.time(9),
        "Europe/Moscow",
        True,
        1,
    )


def test_a_stale_edit_is_a_conflict(head, cal):
    url = reverse("worktime:edit", args=[cal.pk])
    assert head.post(url, _calendar_data(cal, day_ends="17:00")).status_code == 302
    response = head.post(url, _calendar_data(cal, day_ends="19:00"))  # still version 1
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    cal.refresh_from_db()
    assert cal.day_ends == dt.time(17)


def test_a_new_default_calendar_takes_over(head, cal):
    response = head.post(
        reverse("worktime:create"),
        {
            "name": "Екатеринбург",
            "time_zone": "Asia/Yekaterinburg",
            "day_starts": "09:00",
            "day_ends": "18:00",
            "working_weekdays": ["1", "2", "3", "4", "5"],
            "is_default": "on",
        },
    )
    assert response.status_code == 302
    assert default_calendar().name == "Екатеринбург"
    assert WorkCalendar.objects.filter(is_default=True).count() == 1
    response = head.post(reverse("worktime:create"), _calendar_data(cal, version=None))
    assert "name" in response.context["form"].errors  # the name is taken


def test_admin_lists_calendar_days(client, db, cal):
    from tests.factories import make_user

    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:worktime_calendarday_changelist"))
    assert response.status_code == 200
    assert client.get(reverse("admin:worktime_workcalendar_change", args=[cal.pk])).status_code == 200


def test_edit_form_shows_the_current_weekdays(head, cal):
    form = head.get(reverse("worktime:edit", args=[cal.pk])).context["form"]
    boxes = re.findall(r"<input[^>]*>", str(form["working_weekdays"]))
    checked = sorted(re.search(r'value="(\d)"', box).group(1) for box in boxes if "checked" in box)
    assert (len(boxes), checked) == (7, ["1", "2", "3", "4", "5"])
    assert form["version"].value() == 1
