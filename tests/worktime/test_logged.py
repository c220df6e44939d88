"""Logged hours by person, account and local month: touches' durations and request comments' time spent."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from orbit.activities.models import Touch, TouchStatus
from orbit.org.models import Role
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department, Request, RequestComment
from orbit.worktime.logged import REQUEST, TOUCH, Logged, logged_minutes
from tests.factories import make_account, make_user

MSK = ZoneInfo("Europe/Moscow")
pytestmark = pytest.mark.django_db


def _touch(account, owner, at, minutes, status=TouchStatus.DONE):
    return Touch.objects.create(
        account=account,
        owner=owner,
        status=status,
        happened_at=at if status == TouchStatus.DONE else None,
        planned_for=None if status == TouchStatus.DONE else at.date(),
        duration_minutes=minutes if status == TouchStatus.DONE else None,
    )


def test_minutes_are_summed_per_person_account_local_month_and_source():
    ensure_defaults()
    head = make_user("head", Role.HEAD)
    anna = make_user("anna", Role.ACCOUNT_MANAGER)
    boris = make_user("boris", Role.ACCOUNT_MANAGER)
    acme = make_account(head, anna)
    # 31 Oct 23:30 in Moscow is 20:30 UTC: October. 1 Nov 00:10 in Moscow is still 31 Oct in UTC: November.
    _touch(acme, anna, dt.datetime(2026, 10, 31, 23, 30, tzinfo=MSK), 30)
    _touch(acme, anna, dt.datetime(2026, 11, 1, 0, 10, tzinfo=MSK), 45)
    _touch(acme, anna, dt.datetime(2026, 11, 20, 15, 0, tzinfo=MSK), 15)
    _touch(
        acme, anna, dt.datetime(2026, 11, 21, 15, 0, tzinfo=MSK), 60, status=TouchStatus.PLANNED
    )  # not work yet
    request = Request.objects.create(
        account=acme,
        manager=anna,
        request_type="question",
        department=Department.objects.first(),
        subject="Накладные",
        received_at=dt.datetime(2026, 11, 2, 10, tzinfo=MSK),
    )
    logged = RequestComment.objects.create(request=request, author=boris, text="Разобрал", minutes_spent=50)
    RequestComment.objects.filter(pk=logged.pk).update(created_at=dt.datetime(2026, 11, 3, 10, tzinfo=MSK))
    RequestComment.objects.create(request=request, author=boris, text="Без времени")

    rows = logged_minutes(dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    assert sorted(rows, key=lambda r: (r.month, r.source)) == [
        Logged(anna.pk, acme.pk, dt.date(2026, 10, 1), TOUCH, 30),
        Logged(boris.pk, acme.pk, dt.date(2026, 11, 1), REQUEST, 50),
        Logged(anna.pk, acme.pk, dt.date(2026, 11, 1), TOUCH, 60),
    ]
    # The bounds are local days: 1 November alone holds the 00:10 touch, not the one of 31 October.
    assert [r.minutes for r in logged_minutes(dt.date(2026, 11, 1), dt.date(2026, 11, 1))] == [45]
    assert logged_minutes(dt.date(2026, 10, 1), dt.date(2026, 11, 30), people=[boris.pk]) == [
        Logged(boris.pk, acme.pk, dt.date(2026, 11, 1), REQUEST, 50)
    ]
    assert logged_minutes(dt.date(2026, 10, 1), dt.date(2026, 11, 30), accounts=[]) == []
