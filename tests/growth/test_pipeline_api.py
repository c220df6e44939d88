"""The sales pipeline API: list (filters, pagination, flat query count), detail, create (bad input as field
errors, in English and Russian; an Idempotency-Key writes once), patch (stale version → 409 with the current
opportunity), move (skipped stage, another pipeline, lost without a reason), 404 for what one may not see, and
the weighted pipeline summary against hand-computed figures."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orbit.api.models import ApiToken
from orbit.growth.models import LostReason, Opportunity
from orbit.growth.opportunities import opportunity_create
from orbit.org.models import User
from tests.factories import make_account

D = Decimal


@pytest.fixture(autouse=True)
def _people_read_english(org):
    User.objects.update(language="en")


class Api:
    def __init__(self, user):
        _, token = ApiToken.issue(user=user, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def __getattr__(self, method):
        def call(path, body=None, **headers):
            kwargs = {"content_type": "application/json"} if body is not None else {}
            data = json.dumps(body) if body is not None else None
            if method == "get":
                return self.client.get(f"/api{path}", body or {}, **headers)
            return getattr(self.client, method)(f"/api{path}", data, **kwargs, **headers)

        return call


@pytest.fixture
def accounts(org):
    return {"a": make_account(org.head, org.am_a), "b": make_account(org.head, org.am_b)}


def _in(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _deal(by, account, amount, days=30, **kw):
    return opportunity_create(
        by=by,
        account=account,
        kind=kw.pop("kind", "upsell"),
        title=kw.pop("title", f"Deal {amount}"),
        amount=D(amount),
        expected_close_on=timezone.localdate() + dt.timedelta(days=days),
        **kw,
    )


def test_create_read_and_list(org, stages, accounts):
    api = Api(org.am_a)
    body = {
        "account": accounts["a"].pk,
        "kind": "cross_sell",
        "title": "  Monitoring  ",
        "amount": "250 000,50",
        "expected_close_on": _in(20),
        "probability": 35,
        "next_step": "Send the proposal",
    }
    created = api.post("/opportunities", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert created.status_code == 201, created.json()
    item = created.json()
    assert item["title"] == "Monitoring" and item["amount"] == "250000.50"
    # weighted: 250 000.50 × 35 % = 87 500.175 → 87 500.18 (half up)
    assert item["weighted_base"] == "87500.18" and item["probability"] == 35
    assert item["stage"]["code"] == "identified" and item["pipeline"]["code"] == "account_growth"
    assert item["owner"]["id"] == org.am_a.pk and item["version"] == 1
    again = api.post("/opportunities", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json()["id"] == item["id"]
    assert Opportunity.objects.filter(title="Monitoring").count() == 1
    assert api.get(f"/opportunities/{item['id']}").json()["title"] == "Monitoring"
    listed = api.get("/opportunities", {"kind": "cross_sell"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == item["id"]
    assert Api(org.am_b).get(f"/opportunities/{item['id']}").status_code == 404
    assert Api(org.am_b).get("/opportunities").json()["count"] == 0


def test_list_filters_sort_and_pagination(org, stages, accounts):
    for i in range(5):
        _deal(org.am_a, accounts["a"], f"{i + 1}0000", days=10 + i)
    _deal(org.am_b, accounts["b"], "99000", kind="renewal")
    api = Api(org.head)
    page = api.get("/opportunities", {"limit": 2, "offset": 2, "sort": "-amount"}).json()
    assert page["count"] == 6 and page["count_exact"]
    assert [i["amount"] for i in page["items"]] == ["40000.00", "30000.00"]
    assert api.get("/opportunities", {"owner": org.am_b.pk}).json()["count"] == 1
    assert api.get("/opportunities", {"team": org.team_a.pk}).json()["count"] == 5
    assert api.get("/opportunities", {"status": "lost"}).json()["count"] == 0
    assert api.get("/opportunities", {"sort": "nonsense"}).status_code == 422
    assert api.get("/opportunities", {"close_month": "2001-01-15"}).json()["count"] == 0


def test_list_costs_the_same_queries_for_few_and_many(org, stages, accounts):
    api = Api(org.head)
    _deal(org.am_a, accounts["a"], "1000")
    api.get("/opportunities")
    with CaptureQueriesContext(connection) as few:
        api.get("/opportunities")
    for i in range(15):
        _deal(org.am_b, accounts["b"], f"{i + 2}000")
    with CaptureQueriesContext(connection) as many:
        assert api.get("/opportunities").json()["count"] == 16
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("change", "field", "english", "russian"),
    [
        ({"amount": "-1"}, "amount", "cannot be negative", "не может быть отрицательной"),
        ({"probability": 101}, "probability", "from 0 to 100", "от 0 до 100"),
        ({"expected_close_on": "2020-01-01"}, "expected_close_on", "in the past", "в прошлом"),
    ],
)
def test_bad_input_is_a_field_error_in_both_languages(org, stages, accounts, change, field, english, russian):
    body = {
        "account": accounts["a"].pk,
        "kind": "upsell",
        "title": "Bad",
        "amount": "100",
        "expected_close_on": _in(10),
    } | change
    response = Api(org.am_a).post("/opportunities", body)
    assert response.status_code == 422
    assert english in " ".join(response.json()["errors"][field])
    User.objects.filter(pk=org.am_a.pk).update(language="ru")
    response = Api(org.am_a).post("/opportunities", body)
    assert response.status_code == 422 and russian in " ".join(response.json()["errors"][field])
    assert not Opportunity.objects.filter(title="Bad").exists()


def test_create_refuses_a_skipped_stage_another_pipeline_and_other_accounts(org, stages, accounts):
    api = Api(org.am_a)
    g, nb = stages["account_growth"], stages["new_business"]
    body = {
        "account": accounts["a"].pk,
        "kind": "upsell",
        "title": "S",
        "amount": 1,
        "expected_close_on": _in(9),
    }
    skipped = api.post("/opportunities", body | {"stage": g["commitment"].pk})
    assert skipped.status_code == 422 and "cannot be skipped" in skipped.json()["errors"]["stage"][0]
    other = api.post(
        "/opportunities", body | {"pipeline": g["identified"].pipeline_id, "stage": nb["needs"].pk}
    )
    assert other.status_code == 422 and "another pipeline" in other.json()["errors"]["stage"][0]
    unknown = api.post("/opportunities", body | {"product_line": 999999})
    assert unknown.status_code == 422 and "product_line" in unknown.json()["errors"]
    assert api.post("/opportunities", body | {"account": accounts["b"].pk}).status_code == 404
    assert Api(org.auditor).post("/opportunities", body).status_code == 403
    assert not Opportunity.objects.exists()


def test_patch_with_a_stale_version_is_a_409_with_the_current(org, stages, accounts):
    deal = _deal(org.am_a, accounts["a"], "1000")
    api = Api(org.am_a)
    changed = api.patch(f"/opportunities/{deal.pk}", {"version": 1, "amount": "2 000", "next_step": "Call"})
    assert changed.status_code == 200
    assert (changed.json()["amount"], changed.json()["next_step"], changed.json()["version"]) == (
        "2000.00",
        "Call",
        2,
    )
    stale = api.patch(f"/opportunities/{deal.pk}", {"version": 1, "title": "Mine"})
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2 and stale.json()["current"]["title"] == deal.title
    bad = api.patch(f"/opportunities/{deal.pk}", {"version": 2, "probability": -3})
    assert bad.status_code == 422 and "probability" in bad.json()["errors"]
    empty = api.patch(f"/opportunities/{deal.pk}", {"version": 2, "title": None})
    assert empty.status_code == 422 and "title" in empty.json()["errors"]
    assert api.patch(f"/opportunities/{deal.pk}", {"version": 2, "stage": 1}).status_code == 422  # not here
    assert Api(org.am_b).patch(f"/opportunities/{deal.pk}", {"version": 2}).status_code == 404
    assert Api(org.auditor).patch(f"/opportunities/{deal.pk}", {"version": 2}).status_code == 403


def test_move_through_the_rules(org, stages, accounts):
    deal = _deal(org.am_a, accounts["a"], "1000")
    api = Api(org.am_a)
    g, nb = stages["account_growth"], stages["new_business"]
    url = f"/opportunities/{deal.pk}/move"
    skipped = api.post(url, {"stage": g["proposal"].pk})
    assert skipped.status_code == 422 and "cannot be skipped" in skipped.json()["errors"]["stage"][0]
    other = api.post(url, {"stage": nb["needs"].pk})
    assert other.status_code == 422 and "another pipeline" in other.json()["errors"]["stage"][0]
    no_reason = api.post(url, {"stage": g["lost"].pk})
    assert no_reason.status_code == 422 and "lost_reason" in no_reason.json()["errors"]
    moved = api.post(url, {"stage": g["qualified"].pk, "version": 1})
    assert moved.status_code == 200 and moved.json()["stage"]["code"] == "qualified"
    assert moved.json()["probability"] == 30
    assert api.post(url, {"stage": g["proposal"].pk, "version": 1}).status_code == 409
    reason = LostReason.objects.get(code="competitor")
    lost = api.post(url, {"stage": g["lost"].pk, "lost_reason": reason.pk, "lost_note": " Chose X "})
    assert lost.status_code == 200
    assert (lost.json()["status"], lost.json()["lost_reason"]["code"], lost.json()["lost_note"]) == (
        "lost",
        "competitor",
        "Chose X",
    )
    User.objects.filter(pk=org.am_a.pk).update(language="ru")
    russian = Api(org.am_a).post(url, {"stage": g["commitment"].pk})
    assert russian.status_code == 422 and "нельзя пропустить" in russian.json()["errors"]["stage"][0]


def test_weighted_summary_by_hand(org, stages, accounts):
    today = timezone.localdate()
    following = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    opportunity_create(
        by=org.am_a,
        account=accounts["a"],
        kind="upsell",
        title="A",
        amount=D("100000"),
        expected_close_on=today,
    )
    opportunity_create(
        by=org.am_a,
        account=accounts["a"],
        kind="upsell",
        title="B",
        amount=D("33333.33"),
        expected_close_on=following,
        probability=45,
    )
    opportunity_create(
        by=org.am_b,
        account=accounts["b"],
        kind="upsell",
        title="C",
        amount=D("10000"),
        expected_close_on=following,
    )
    summary = Api(org.head).get("/pipeline/weighted").json()
    assert summary["currency"] == "RUB" and summary["this_month"] == today.replace(day=1).isoformat()
    rows = {row["id"]: row for row in summary["rows"]}
    # am_a: this month 100 000 × 10 % = 10 000.00; next month 33 333.33 × 45 % = 14 999.9985 → 15 000.00;
    # total 133 333.33, weighted 10 000 + 14 999.9985 = 24 999.9985 → 25 000.00
    assert rows[org.am_a.pk]["this_month"] == {"count": 1, "amount": "100000.00", "weighted": "10000.00"}
    assert rows[org.am_a.pk]["next_month"] == {"count": 1, "amount": "33333.33", "weighted": "15000.00"}
    assert rows[org.am_a.pk]["total"] == {"count": 2, "amount": "133333.33", "weighted": "25000.00"}
    # am_b: 10 000 × 10 % = 1 000.00; all: 143 333.33, weighted 24 999.9985 + 1 000 = 25 999.9985 → 26 000.00
    assert rows[org.am_b.pk]["total"] == {"count": 1, "amount": "10000.00", "weighted": "1000.00"}
    assert summary["total"]["total"] == {"count": 3, "amount": "143333.33", "weighted": "26000.00"}
    teams = Api(org.am_a).get("/pipeline/weighted", {"by": "team"}).json()
    assert [(row["name"], row["total"]["weighted"]) for row in teams["rows"]] == [("Team A", "25000.00")]
