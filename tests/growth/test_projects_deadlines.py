"""Planned project work on the assignee's day (the agenda) and in his calendar feed: what is not done, of a
running project, within the horizon (30 days, Orbit's default) and overdue while not done; read through the
visibility policy."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from orbit.activities.models import CalendarFeed
from orbit.activities.selectors import agenda
from orbit.growth import projects as services
from orbit.org.models import User
from tests.factories import make_account
from tests.growth.projects_world import project_manager, start_project, won_opportunity


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def plan(org, stages):
    account = make_account(org.head, org.am_a)
    pm = project_manager()
    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    # One stage per 10 days from 10 days ago: the project runs from today − 10 to today + 49 (6 stages).
    project = start_project(
        org.am_a,
        account,
        pm,
        opportunity=won_opportunity(org.am_a, account),
        start=start,
        stages=list("ABCDEF"),
    )
    add = lambda title, day, **kw: services.planned_work_add(  # noqa: E731
        by=org.am_a, project=project, title=title, starts_at=_at(day, 10), ends_at=_at(day, 12), **kw
    )
    works = {
        "overdue": add("Просроченный визит", today - dt.timedelta(days=2), assignee=pm),
        "done": add("Выполненный визит", today - dt.timedelta(days=3), assignee=pm),
        "edge": add("Монтаж", today + dt.timedelta(days=30), assignee=pm),
        "beyond": add("Обучение", today + dt.timedelta(days=31), assignee=pm),
        "other": add("Чужой визит", today + dt.timedelta(days=1), assignee=org.am_a),
        "nobody": add("Без исполнителя", today + dt.timedelta(days=1)),
    }
    services.planned_work_mark_done(by=org.am_a, work=works["done"])
    return {"pm": User.objects.get(pk=pm.pk), "works": works, "project": project, "today": today}


def test_the_assignees_day_shows_his_undone_work_within_the_horizon(plan):
    day = agenda(plan["pm"])
    works = plan["works"]
    shown = {d.uid: d for d in day.deadlines.items if d.kind == "planned_work"}
    assert set(shown) == {f"planned-work-{works['overdue'].pk}", f"planned-work-{works['edge'].pk}"}
    overdue = shown[f"planned-work-{works['overdue'].pk}"]
    assert overdue.day == plan["today"] - dt.timedelta(days=2) and overdue.overdue(plan["today"])
    assert overdue.title == "Planned work: Просроченный визит"
    assert "10:00–12:00" in overdue.detail
    assert (
        overdue.url == reverse("growth:project", args=[plan["project"].pk]) + f"#work-{works['overdue'].pk}"
    )


def test_a_cancelled_project_leaves_the_day(org, plan):
    services.project_cancel(by=org.am_a, project=plan["project"], reason="Отказ клиента")
    assert [d for d in agenda(plan["pm"]).deadlines.items if d.kind == "planned_work"] == []


def test_the_calendar_feed_carries_the_planned_work(client, plan):
    raw = "p" * 40
    CalendarFeed.objects.create(user=plan["pm"], token_hash=CalendarFeed.hash(raw))
    response = client.get(reverse("activities:ical", args=[raw]))
    events = {str(e["uid"]): e["dtstart"].dt for e in Calendar.from_ical(response.content).walk("VEVENT")}
    works, today = plan["works"], plan["today"]
    assert events[f"planned-work-{works['overdue'].pk}@orbit"] == today - dt.timedelta(days=2)
    # The feed looks 90 days ahead: the work beyond the agenda's month is in the calendar.
    assert events[f"planned-work-{works['beyond'].pk}@orbit"] == today + dt.timedelta(days=31)
    assert f"planned-work-{works['done'].pk}@orbit" not in events
    assert f"planned-work-{works['other'].pk}@orbit" not in events
