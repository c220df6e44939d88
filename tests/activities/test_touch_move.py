"""Moving a planned touch to another day (the week calendar's drag, or its "Move to" field): the rules of
planning (not in the past of the local day, within the horizon), a version check, and the mover's rights.
Run at each clock of tests/clock.py: "the past" is the local day, not UTC's."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from orbit.activities import services
from orbit.activities.models import Touch, TouchSource, TouchStatus
from orbit.common.errors import ConflictError
from tests.factories import make_account

pytestmark = pytest.mark.clock


@pytest.fixture
def planned(org):
    account = make_account(org.head, org.am_a, tier="B")
    return services.touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())


def test_moves_to_another_day_and_bumps_the_version(org, planned, at_clock):
    tomorrow = at_clock.today + dt.timedelta(days=1)
    moved = services.touch_move(by=org.am_a, touch=planned, version=planned.version, planned_for=tomorrow)
    stored = Touch.objects.get(pk=planned.pk)
    assert (stored.planned_for, stored.version, stored.status) == (tomorrow, planned.version + 1, "planned")
    assert moved.version == stored.version


def test_today_is_allowed_yesterday_is_not(org, planned, at_clock):
    later = services.touch_move(
        by=org.am_a, touch=planned, version=planned.version, planned_for=at_clock.today + dt.timedelta(days=3)
    )
    back = services.touch_move(by=org.am_a, touch=later, version=later.version, planned_for=at_clock.today)
    assert back.planned_for == at_clock.today
    with pytest.raises(ValidationError) as refused:
        services.touch_move(
            by=org.am_a, touch=back, version=back.version, planned_for=at_clock.today - dt.timedelta(days=1)
        )
    assert "planned_for" in refused.value.message_dict
    assert Touch.objects.get(pk=planned.pk).planned_for == at_clock.today


def test_beyond_the_horizon_is_refused(org, planned, at_clock):
    with pytest.raises(ValidationError):
        services.touch_move(
            by=org.am_a,
            touch=planned,
            version=planned.version,
            planned_for=at_clock.today + services.PLAN_HORIZON + dt.timedelta(days=1),
        )


def test_a_stale_version_is_a_conflict(org, planned, at_clock):
    services.touch_move(
        by=org.am_a, touch=planned, version=planned.version, planned_for=at_clock.today + dt.timedelta(days=1)
    )
    with pytest.raises(ConflictError):
        services.touch_move(
            by=org.am_a,
            touch=planned,
            version=planned.version,  # what the other tab loaded
            planned_for=at_clock.today + dt.timedelta(days=2),
        )
    assert Touch.objects.get(pk=planned.pk).planned_for == at_clock.today + dt.timedelta(days=1)


def test_a_done_touch_cannot_be_moved(org, planned, at_clock):
    done = services.touch_complete(by=org.am_a, touch=planned, version=planned.version, duration_minutes=10)
    with pytest.raises(ConflictError):
        services.touch_move(
            by=org.am_a, touch=done, version=done.version, planned_for=at_clock.today + dt.timedelta(days=1)
        )


def test_only_who_may_work_the_account_moves_it(org, planned, at_clock):
    for stranger in (org.am_b, org.auditor):
        with pytest.raises(PermissionDenied):
            services.touch_move(
                by=stranger,
                touch=planned,
                version=planned.version,
                planned_for=at_clock.today + dt.timedelta(days=1),
            )
    # His lead may: he changes his people's accounts.
    services.touch_move(
        by=org.lead_a,
        touch=planned,
        version=planned.version,
        planned_for=at_clock.today + dt.timedelta(days=1),
    )


def test_a_cadence_touch_keeps_its_source(org, at_clock):
    account = make_account(org.head, org.am_a, tier="A")
    touch = Touch.objects.create(
        account=account, owner=org.am_a, planned_for=at_clock.today, source=TouchSource.CADENCE
    )
    moved = services.touch_move(
        by=org.am_a, touch=touch, version=touch.version, planned_for=at_clock.today + dt.timedelta(days=2)
    )
    assert (moved.source, moved.status) == (TouchSource.CADENCE, TouchStatus.PLANNED)
