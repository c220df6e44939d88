"""Norms from the logged history on a hand-worked example; the head's overrides; who sees whose workload."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from orbit.accounts.models import OwnershipPeriod, Tier
from orbit.activities import cadence
from orbit.activities.models import Touch, TouchStatus
from orbit.org.models import Role
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department, Request, RequestComment
from orbit.workload import norms, services
from tests.factories import make_account, make_user

MSK = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 12, 5)  # the window: 1 December 2025 – 30 November 2026
pytestmark = pytest.mark.django_db


def _touch(account, owner, at, minutes):
    return Touch.objects.create(
        account=account, owner=owner, status=TouchStatus.DONE, happened_at=at, duration_minutes=minutes
    )


def _request(account, author, at, *minutes):
    request = Request.objects.create(
        account=account,
        manager=author,
        request_type="question",
        department=Department.objects.first(),
        subject="Вопрос",
        received_at=at,
    )
    Request.objects.filter(pk=request.pk).update(created_at=at)
    for m in minutes:
        comment = RequestComment.objects.create(request=request, author=author, text="т", minutes_spent=m)
        RequestComment.objects.filter(pk=comment.pk).update(created_at=at)


def test_norms_from_history_on_a_hand_worked_example():
    ensure_defaults()
    cadence.ensure_defaults()  # key 14 days, A 30, B 60, C 90
    head = make_user("head", Role.HEAD)
    anna = make_user("anna", Role.ACCOUNT_MANAGER)
    a1 = make_account(head, anna, tier=Tier.A)
    a2 = make_account(head, anna, tier=Tier.A)
    b1 = make_account(head, anna, tier=Tier.B)
    OwnershipPeriod.objects.update(started_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    # Tier A: 20 touches of 30 min and 10 of 60 min in the window = 600 + 600 = 1200 min / 30 = 40.0 min.
    for n in range(30):
        _touch(
            a1 if n % 2 else a2, anna, dt.datetime(2026, 3, 1 + n % 28, 12, tzinfo=MSK), 30 if n < 20 else 60
        )
    # ... one on 30 November 23:30 Moscow time (20:30 UTC) counts; one on 1 December 00:10 does not.
    _touch(a1, anna, dt.datetime(2026, 11, 30, 23, 30, tzinfo=MSK), 40)
    _touch(a1, anna, dt.datetime(2026, 12, 1, 0, 10, tzinfo=MSK), 500)
    # So 31 touches, 1240 min: 1240 / 31 = 40.0 min.
    # Requests of A: 30 opened and handled, each 20 min, 10 of them a second comment of 30 min:
    # 600 + 300 = 900 min / 30 requests = 30.0 min; 30 requests / 24 account-months (2 accounts × 12) = 1.25.
    for n in range(30):
        _request(a1, anna, dt.datetime(2026, 5, 1 + n % 28, 12, tzinfo=MSK), *([20, 30] if n < 10 else [20]))
    # Tier B: 5 touches only — too thin: Orbit's defaults (30 min a touch, 1 request a month of 30 min).
    for n in range(5):
        _touch(b1, anna, dt.datetime(2026, 6, 1 + n, 12, tzinfo=MSK), 90)
    found = norms.compute(TODAY)
    a, b = found["A"], found["B"]
    assert (a.touches_per_month.value, a.touches_per_month.source) == (Decimal("1.00"), norms.POLICY)  # 30/30
    assert (a.touch_minutes.value, a.touch_minutes.source, a.touch_minutes.basis) == (
        Decimal("40.0"),
        norms.HISTORY,
        31,
    )
    assert (a.requests_per_month.value, a.requests_per_month.basis) == (Decimal("1.25"), 24)
    assert (a.request_minutes.value, a.request_minutes.basis) == (Decimal("30.0"), 30)
    # A: 1 × 40 + 1.25 × 30 = 77.5 min = 1.2916… → 1.29 h
    assert a.hours == Decimal("1.29")
    assert (b.touch_minutes.value, b.touch_minutes.source, b.touch_minutes.basis) == (
        Decimal(30),
        norms.THIN,
        5,
    )
    # B: 30/60 = 0.5 touches × 30 + 1 × 30 = 45 min = 0.75 h
    assert b.hours == Decimal("0.75")

    # The head overrides the minutes per touch of A; the history stays shown next to it.
    services.norm_set(by=head, tier="A", version=0, touch_minutes="60")
    a = norms.compute(TODAY)["A"]
    assert (a.touch_minutes.value, a.touch_minutes.source, a.touch_minutes.history) == (
        Decimal(60),
        norms.OVERRIDE,
        Decimal("40.0"),
    )
    assert a.hours == Decimal("1.63")  # 1 × 60 + 1.25 × 30 = 97.5 min = 1.625 → 1.63


def test_norm_and_capacity_input_is_validated_field_by_field():
    head = make_user("head", Role.HEAD)
    lead = make_user("lead", Role.TEAM_LEAD)
    anna = make_user("anna", Role.ACCOUNT_MANAGER)
    with pytest.raises(ValidationError) as bad:
        services.norm_set(by=head, tier="A", version=None, touch_minutes="-5", request_minutes="abc")
    assert set(bad.value.message_dict) == {"touch_minutes", "request_minutes"}
    with pytest.raises(PermissionDenied):
        services.norm_set(by=lead, tier="A", version=None, touch_minutes="5")
    services.norm_set(by=head, tier="A", version=0, touch_minutes="5")
    with pytest.raises(ValidationError):  # a stale version: someone changed the tier's norms meanwhile
        services.norm_set(by=head, tier="A", version=0, touch_minutes="6")
    with pytest.raises(ValidationError) as zero:
        services.person_set(by=head, person=anna, version=None, capacity_hours="0", hunting_percent="120")
    assert set(zero.value.message_dict) == {"capacity_hours", "hunting_percent"}
    assert "ноль" in zero.value.message_dict["capacity_hours"][0]
    with pytest.raises(PermissionDenied):
        services.person_set(by=anna, person=anna, version=None, capacity_hours="100", hunting_percent="")


def test_a_manager_sees_only_his_own_workload_by_page_and_api(calendar):
    head = make_user("head", Role.HEAD)
    anna = make_user("anna", Role.ACCOUNT_MANAGER)
    boris = make_user("boris", Role.ACCOUNT_MANAGER)
    make_account(head, boris, tier=Tier.A)
    client = Client()
    client.force_login(anna)
    assert client.get(reverse("workload:person", args=[boris.pk])).status_code == 404
    assert (
        client.post(reverse("workload:person_settings", args=[boris.pk]), {"capacity_hours": "1"}).status_code
        == 404
    )
    page = client.get(reverse("workload:index"), {"month": "2026-11"})
    assert [r.person.pk for r in page.context["rows"]] == [anna.pk]
    answer = client.get("/api/workload", {"month": "2026-11"}).json()
    assert [p["id"] for p in answer["people"]] == [anna.pk]
    client.force_login(head)
    answer = client.get("/api/workload", {"month": "2026-11"}).json()
    assert {p["id"] for p in answer["people"]} == {anna.pk, boris.pk}
    assert client.get("/api/workload", {"month": "2026-13"}).status_code == 422


def test_refused_forms_answer_400_with_their_field_errors(calendar):
    head = make_user("head", Role.HEAD)
    anna = make_user("anna", Role.ACCOUNT_MANAGER)
    client = Client()
    client.force_login(head)
    bad = client.post(reverse("workload:norms_edit"), {"tier": "A", "version": "0", "touch_minutes": "-1"})
    assert bad.status_code == 400 and "Не может быть отрицательным" in bad.content.decode()
    zero = client.post(reverse("workload:person_settings", args=[anna.pk]), {"capacity_hours": "0"})
    assert zero.status_code == 400 and "ноль часов" in zero.content.decode()
    anna.refresh_from_db()
    assert anna.monthly_capacity_hours == 140
    ok = client.post(
        reverse("workload:person_settings", args=[anna.pk]),
        {"capacity_hours": "120", "hunting_percent": "10"},
    )
    assert ok.status_code == 302
    anna.refresh_from_db()
    assert anna.monthly_capacity_hours == 120 and anna.workload_setting.hunting_percent == 10
