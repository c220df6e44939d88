"""The org-model API: the split per month for the caller's hybrids, the what-if with salaries, 422 on a zero
capacity; a manager without hybrids gets an empty list, not someone else's."""

import datetime as dt

import pytest
from django.utils import timezone

from orbit.activities.models import Touch, TouchStatus
from orbit.api.models import ApiToken
from orbit.org.models import Role
from tests.factories import make_account, make_user

pytestmark = pytest.mark.django_db


def _get(client, user, **params):
    token = ApiToken.issue(user=user, name="t")[1]
    return client.get("/api/managers/org-model", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_split_and_the_what_if(org, client):
    hybrid = make_user("hybrid", Role.SALES_MANAGER, Role.ACCOUNT_MANAGER, team=org.team_a)
    old = make_account(org.head, hybrid)
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    Touch.objects.create(
        account=old,
        owner=hybrid,
        status=TouchStatus.DONE,
        happened_at=dt.datetime.combine(last, dt.time(12), tzinfo=timezone.get_current_timezone()),
        duration_minutes=300,
    )
    # 300 min = 5 h serving in one month; capacity 2 → ⌈2.5⌉ = 3 farmers × 1,000 = 3,000 added.
    body = _get(client, org.head, hunter_salary="2000", farmer_salary="1000", farmer_capacity=2).json()
    assert [h["name"] for h in body["hybrids"]] == ["Hybrid"]
    assert body["serving_minutes"] == 300 and body["hunting_minutes"] == 0 and body["months_with_hours"] == 1
    what = body["what_if"]
    assert what["farmers_needed"] == 3 and what["hunting_hours_freed"] == "5.00"
    assert what["added_payroll"] == "3000.00" and what["payroll_now"] == "2000.00"
    assert what["revenue_per_hunting_hour"] is None  # no hunting hours: not known
    assert _get(client, org.am_b).json()["hybrids"] == []
    refused = _get(client, org.head, hunter_salary="1", farmer_salary="1", farmer_capacity=0)
    assert refused.status_code == 422 and "farmer_capacity" in refused.json()["errors"]
