"""A person's day is local: from 00:00 to 03:00 in Moscow the UTC date is still yesterday (issue 10, defect 1).

Each test runs at every clock of tests/clock.py (just before and after local midnight, before 03:00 Moscow, on
the days of a DST change in Berlin and New York).
"""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from orbit.activities import services
from orbit.activities.models import Touch, TouchStatus
from tests.factories import make_account

pytestmark = pytest.mark.clock


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a, tier="A")


def test_the_clock_is_the_one_asked_for(at_clock):
    assert timezone.localdate() == at_clock.today
    assert str(timezone.get_current_timezone()) == at_clock.zone


def test_completing_todays_planned_touch_completes_it_and_logs_no_second(org, account, at_clock):
    planned = services.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    done = services.touch_complete(by=org.am_a, touch=planned, version=planned.version, duration_minutes=15)
    assert done.pk == planned.pk
    assert Touch.objects.filter(account=account, status=TouchStatus.DONE).count() == 1
    # The next one by the cadence (tier A: 30 days) counts from the local day it happened.
    nxt = Touch.objects.get(account=account, status=TouchStatus.PLANNED)
    assert nxt.planned_for == at_clock.today + dt.timedelta(days=30)


def test_logging_a_touch_closes_todays_planned_one(org, account):
    planned = services.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    done = services.touch_log(by=org.am_a, account=account, duration_minutes=10)
    assert done.pk == planned.pk
    assert Touch.objects.filter(account=account).exclude(status=TouchStatus.PLANNED).count() == 1


def test_completing_from_the_agenda_says_only_what_was_done(client, org, account):
    planned = services.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    client.force_login(org.am_a)
    response = client.post(
        reverse("activities:touch_complete", args=[planned.pk]),
        {"version": planned.version, "duration_minutes": 20, "outcome": "Договорились"},
    )
    planned.refresh_from_db()
    assert planned.status == TouchStatus.DONE
    assert Touch.objects.filter(account=account, status=TouchStatus.DONE).count() == 1
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_completing_a_touch_planned_for_tomorrow_completes_that_touch(org, account):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    planned = services.touch_plan(by=org.am_a, account=account, planned_for=tomorrow)
    done = services.touch_complete(by=org.am_a, touch=planned, version=planned.version, duration_minutes=5)
    assert done.pk == planned.pk
    assert Touch.objects.filter(account=account).count() == 2  # the done one and the cadence's next


def test_a_touchs_day_is_its_local_day(org, account, at_clock):
    done = services.touch_log(by=org.am_a, account=account, duration_minutes=10)
    assert done.day == at_clock.today


def test_the_cadence_counts_from_the_local_day_of_the_last_touch(org, account, at_clock):
    Touch.objects.create(
        account=account,
        owner=org.am_a,
        status=TouchStatus.DONE,
        happened_at=timezone.now(),
        duration_minutes=10,
    )
    assert services.plan_cadence_touches(account_ids=[account.pk]) == 1
    planned = Touch.objects.get(account=account, status=TouchStatus.PLANNED)
    assert planned.planned_for == at_clock.today + dt.timedelta(days=30)


def test_the_agenda_counts_what_was_done_today(client, org, account):
    services.touch_log(by=org.am_a, account=account, duration_minutes=25)
    client.force_login(org.am_a)
    day = client.get(reverse("activities:agenda")).context["day"]
    assert (day.done_today, day.minutes_today) == (1, 25)
