"""The week calendar: local days (a touch done just after local midnight is on today, not on UTC's
yesterday), what falls on each day, whose week a viewer may open, and the move of a planned touch from the page
(htmx: the week again, 400 or 409 with the reason; without JavaScript: a redirect or the refusal page)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orbit.accounts.models import ChangeReason
from orbit.activities import services
from orbit.activities import week as weeks
from orbit.activities.models import Touch, TouchKind, TouchStatus
from orbit.handoffs import services as handoff_services
from orbit.handoffs.models import HandoffKind, HandoffStep
from tests.factories import make_account

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a, tier="B", legal_name="ООО «Неделя»", short_name="Неделя")


def _entries(week, day):
    return next(d.entries for d in week.days if d.date == day)


@pytest.mark.clock
def test_days_are_local_and_today_is_marked(org, account, at_clock):
    today = at_clock.today
    start = weeks.monday_of(today)
    # Done one minute after local midnight (or now, whichever is earlier): on today's cell.
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    happened = min(midnight + dt.timedelta(minutes=1), timezone.now())
    done = services.touch_log(by=org.am_a, account=account, duration_minutes=10, happened_at=happened)
    meeting = services.touch_plan(
        by=org.am_a, account=account, planned_for=today, kind=TouchKind.MEETING, subject="Встреча"
    )
    task = services.task_create(by=org.am_a, title="Счёт", assignee=org.am_a, due_on=today, account=account)
    week = weeks.week(org.am_a, viewer=org.am_a, start=start)
    assert [d.date for d in week.days] == [start + dt.timedelta(days=i) for i in range(7)]
    assert [d.date for d in week.days if d.today] == [today]
    on_today = _entries(week, today)
    kinds = {(e.kind, e.title, e.done, e.movable) for e in on_today}
    assert ("touch", done.get_kind_display(), True, False) in kinds
    assert ("meeting", "Встреча", False, True) in kinds
    assert ("task", task.title, False, False) in kinds
    assert all(e.account_name == "Неделя" for e in on_today)
    # A task's and a step's title lead elsewhere: their account's name is its card's link; a touch's title is.
    card = reverse("accounts:detail", args=[account.pk])
    assert {e.kind: e.account_url for e in on_today} == {"touch": "", "meeting": "", "task": card}
    # Nothing leaked onto UTC's date when it differs from the local one.
    assert all(not d.entries for d in week.days if d.date != today)
    assert meeting.pk in {e.touch.pk for e in on_today if e.touch}


def test_handoff_steps_and_overdue(org, account):
    today = timezone.localdate()
    start = weeks.monday_of(today)
    handoff = handoff_services.handoff_start(
        by=org.head,
        account=account,
        to_user=org.am_a1,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason=ChangeReason.VACATION,
    )
    mine = HandoffStep.objects.filter(handoff=handoff, owner=org.am_a)
    assert mine.exists()
    mine.update(due_date=start)
    late = Touch.objects.create(account=account, owner=org.am_a, planned_for=start, subject="Старый")
    week = weeks.week(org.am_a, viewer=org.am_a, start=start, today=start + dt.timedelta(days=1))
    monday = {e.title: e for e in _entries(week, start)}
    assert monday["Старый"].overdue and monday["Старый"].movable
    assert {e.kind for e in monday.values()} == {"touch", "step"}
    assert all(
        e.url == reverse("handoffs:detail", args=[handoff.pk]) for e in monday.values() if e.kind == "step"
    )
    card = reverse("accounts:detail", args=[account.pk])
    assert all(e.account_url == card for e in monday.values() if e.kind == "step")
    assert late.status == TouchStatus.PLANNED


def test_week_param_and_navigation(client, org, account):
    client.force_login(org.am_a)
    response = client.get(reverse("activities:week"), {"week": "2026-11-26"})  # a Thursday
    week = response.context["week"]
    assert (week.start, week.previous, week.next) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 30),
    )
    assert client.get(reverse("activities:week"), {"week": "nonsense"}).status_code == 200


def test_whose_week(client, org, account, django_assert_max_num_queries):
    today = timezone.localdate()
    Touch.objects.create(account=account, owner=org.am_a, planned_for=today, subject="Звонок")
    client.force_login(org.lead_a)
    url = reverse("activities:week")
    client.get(url, {"person": org.am_a.pk})
    with django_assert_max_num_queries(14):
        response = client.get(url, {"person": org.am_a.pk})
    assert response.status_code == 200 and "Звонок" in response.content.decode()
    client.force_login(org.am_b)
    assert client.get(url, {"person": org.am_a.pk}).status_code == 404
    assert "Звонок" not in client.get(url).content.decode()


def test_move_from_the_page(client, org, account):
    today = timezone.localdate()
    touch = services.touch_plan(by=org.am_a, account=account, planned_for=today, subject="Звонок")
    url = reverse("activities:touch_move", args=[touch.pk])
    client.force_login(org.am_a)
    tomorrow = today + dt.timedelta(days=1)
    response = client.post(url, {"version": touch.version, "planned_for": tomorrow.isoformat()}, **HTMX)
    assert response.status_code == 200
    assert response.context["moved"].planned_for == tomorrow
    assert 'id="week"' in response.content.decode()
    # The other tab still holds the old version: 409 and the reason, the touch stays where it was moved.
    stale = client.post(
        url, {"version": touch.version, "planned_for": (today + dt.timedelta(days=2)).isoformat()}, **HTMX
    )
    assert stale.status_code == 409 and stale.context["reasons"]
    fresh = Touch.objects.get(pk=touch.pk)
    assert fresh.planned_for == tomorrow
    past = client.post(
        url, {"version": fresh.version, "planned_for": (today - dt.timedelta(days=1)).isoformat()}, **HTMX
    )
    assert past.status_code == 400 and "прошедший" in " ".join(past.context["reasons"])
    # Without JavaScript: the "Move to" form posts and comes back to the week of the new day.
    plain = client.post(url, {"version": fresh.version, "planned_for": today.isoformat()})
    assert plain.status_code == 302 and f"week={today.isoformat()}" in plain["Location"]
    refused = client.post(url, {"version": fresh.version, "planned_for": today.isoformat()})
    assert refused.status_code == 409
    assert Touch.objects.get(pk=touch.pk).planned_for == today


def test_move_refused_to_who_may_not(client, org, account):
    touch = services.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    url = reverse("activities:touch_move", args=[touch.pk])
    data = {
        "version": touch.version,
        "planned_for": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
    }
    client.force_login(org.am_b)
    assert client.post(url, data, **HTMX).status_code == 404  # he does not see it
    client.force_login(org.auditor)
    assert client.post(url, data, **HTMX).status_code == 403  # he sees it, changes nothing
    assert Touch.objects.get(pk=touch.pk).version == touch.version
