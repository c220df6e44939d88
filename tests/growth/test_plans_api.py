"""The plans API: plan vs fact as JSON, setting a plan with its version, errors shaped like the rest of the API."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from orbit.api.models import ApiToken
from orbit.growth import plans
from orbit.growth.models import SalesPlan
from tests.revenue.conftest import build_shop
from tests.revenue.ledger import issue, pay, routers

D = Decimal
MARCH = dt.date(2026, 3, 1)


def _client(user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=user, name='t')[1]}")


def _put(client, **body):
    return client.put("/api/growth/plans", data=json.dumps(body), content_type="application/json")


def test_plan_fact_as_json(org):
    shop = build_shop(org)
    issue(shop, dt.date(2026, 3, 2), routers(shop, 2), by=org.head)  # net 2000, VAT 440, cost 1200
    pay(shop, dt.date(2026, 3, 20), "1220", by=org.head)  # round(1220 × 2000 / 2440) = 1000.00
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("4000"), margin=D("1000"))
    body = _client(org.lead_a).get("/api/growth/plan-fact", {"month": "2026-03"}).json()
    am_a = next(row for row in body["people"] if row["name"] == "Am_A")
    assert am_a["invoiced"] == {"plan": "4000.00", "fact": "2000.00", "percent": "50.0", "gap": "-2000.00"}
    assert am_a["paid"] == {"plan": "4000.00", "fact": "1000.00", "percent": "25.0", "gap": "-3000.00"}
    assert am_a["margin"]["fact"] == "800.00" and am_a["plan_version"] == 1  # 2000 − 1200
    assert [t["name"] for t in body["teams"]] == ["Team A", "Team A1"]
    assert body["total"]["invoiced"]["fact"] == "2000.00" and body["month"] == "2026-03-01"
    mine = _client(org.am_b).get("/api/growth/plan-fact", {"month": "2026-03"}).json()
    assert [r["name"] for r in mine["people"]] == ["Am_B"] and mine["teams"] == []


def test_a_month_that_is_not_a_month_is_422(org):
    response = _client(org.head).get("/api/growth/plan-fact", {"month": "2026-13"})
    assert response.status_code == 422 and "month" in response.json()["errors"]


def test_set_then_change_with_the_version_then_a_stale_one_is_409(org):
    client = _client(org.head)
    created = _put(client, month="2026-03-01", user=org.am_a.pk, revenue="1 000 000,00", margin=250000)
    assert created.status_code == 200 and created.json()["version"] == 1
    changed = _put(client, month="2026-03-01", user=org.am_a.pk, revenue="900000", margin="0", version=1)
    assert changed.json()["revenue"] == "900000.00" and changed.json()["version"] == 2
    stale = _put(client, month="2026-03-01", user=org.am_a.pk, revenue="1", margin="0", version=1)
    assert stale.status_code == 409
    assert stale.json()["current"]["revenue"] == "900000.00" and stale.json()["current"]["version"] == 2


@pytest.mark.parametrize(
    ("language", "body", "field", "message"),
    [
        (
            "en",
            {"month": "2026-03-15"},
            "month",
            "A plan is for a whole month: give its first day (2026-03-01).",
        ),
        (
            "ru",
            {"month": "2026-03-15"},
            "month",
            "План ставится на весь месяц: укажите его первый день (2026-03-01).",
        ),
        ("en", {"revenue": "-1"}, "revenue", "The revenue plan cannot be negative."),
        ("ru", {"revenue": "-1"}, "revenue", "План выручки не может быть отрицательным."),
    ],
)
def test_bad_input_is_422_at_its_field(org, language, body, field, message):
    payload = {"month": "2026-03-01", "user": org.am_a.pk, "revenue": "10", "margin": "1", **body}
    response = _put(_client(org.head, language), **payload)
    assert response.status_code == 422
    assert response.json()["errors"][field] == [message]
    assert not SalesPlan.objects.exists()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_person_who_has_left_is_422_at_user(org, language):
    org.am_a.is_active = False
    org.am_a.save()
    response = _put(
        _client(org.head, language), month="2026-03-01", user=org.am_a.pk, revenue="10", margin="1"
    )
    assert response.status_code == 422
    expected = {
        "en": "Am_A has left the company: plans are set only for people who work here.",
        "ru": "Am_A покинул(а) компанию: планы ставятся только работающим сотрудникам.",
    }[language]
    assert response.json()["errors"]["user"] == [expected]


def test_no_permission_is_403_and_an_unknown_person_404(org):
    response = _put(_client(org.am_a), month="2026-03-01", user=org.am_a.pk, revenue="10", margin="1")
    assert response.status_code == 403
    assert (
        _put(_client(org.head), month="2026-03-01", user=999999, revenue="1", margin="0").status_code == 404
    )
    assert not SalesPlan.objects.exists()


def test_plan_fact_costs_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    from orbit.org.models import Role
    from tests.factories import make_user

    for i in range(10):
        person = make_user(f"p{i}", Role.ACCOUNT_MANAGER, team=org.team_b)
        plans.plan_set(by=org.head, month=MARCH, user=person, revenue=D("10"), margin=D("1"))
    client = _client(org.head)
    # token lookup and its last-use stamp, the language, then the selector's six
    with django_assert_max_num_queries(12):
        body = client.get("/api/growth/plan-fact", {"month": "2026-03"}).json()
    assert len(body["people"]) >= 10
