"""The analytics dashboard API: the scope's figures, the accounts with their figures, one account's figures —
scoped like the pages, money and shares as decimal strings."""

import pytest
from django.test import Client

from orbit.api.models import ApiToken


@pytest.fixture
def as_user():
    def client(user) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=user, name='t')[1]}")

    return client


def test_figures_of_a_manager(org, world, as_user):
    body = as_user(org.am_a).get("/api/analytics/figures").json()
    # am_a: 500 and 40 → total 540.00; the top 20 % (one account) hold 500 / 540 = 92.59 %.
    assert body["whole_department"] is False and body["accounts"] == 2
    assert body["pareto"]["total"] == "540.00" and body["pareto"]["curve"][0] == [1, "92.59"]
    assert body["shares"] == {"key": "92.59", "top20": "92.59", "key_accounts": 1}
    assert body["cells"]["AX"] == {"accounts": 1, "total": "500.00", "share": "92.59"}
    assert (body["abc_a"], body["abc_b"], body["basis"]) == ("80.00", "95.00", "revenue")


def test_figures_of_the_head_come_from_the_summary(org, world, as_user):
    client = as_user(org.head)
    assert client.get("/api/analytics/figures").json()["whole_department"] is True
    narrowed = client.get("/api/analytics/figures", {"manager": org.am_b.pk}).json()
    # am_b: 300 and 100 → 400.00.
    assert narrowed["whole_department"] is False and narrowed["pareto"]["total"] == "400.00"


def test_figures_before_any_run(org, as_user):
    body = as_user(org.am_a).get("/api/analytics/figures").json()
    assert body["as_of"] is None and body["pareto"] is None and body["cells"] == {}


def test_accounts_list(org, world, as_user):
    client = as_user(org.head)
    body = client.get("/api/analytics/accounts", {"sort": "-clv", "limit": 2}).json()
    assert body["count"] == 5 and [i["account"]["name"] for i in body["items"]] == ["big", "b2"]
    item = body["items"][0]
    assert (
        item["clv"] == "9000.00"
        and item["window_revenue"] == "500.00"
        and item["manager"]["id"] == org.am_a.pk
    )
    assert [
        i["account"]["name"] for i in client.get("/api/analytics/accounts", {"cell": "B"}).json()["items"]
    ] == ["b2"]
    assert client.get("/api/analytics/accounts", {"sort": "sideways"}).status_code == 422
    mine = as_user(org.am_a).get("/api/analytics/accounts", {"manager": org.am_b.pk}).json()
    assert mine["count"] == 0


def test_one_account(org, world, as_user):
    _run, accounts = world
    body = as_user(org.am_a).get(f"/api/analytics/accounts/{accounts['big'].pk}").json()
    assert body["metrics"]["abc"] == "A" and body["metrics"]["rfm_segment"] == "champion"
    assert [(c["kind"], c["old"], c["new"]) for c in body["changes"]] == [
        ("rfm", "loyal", "champion"),
        ("abc", "B", "A"),
    ]
    assert as_user(org.am_a).get(f"/api/analytics/accounts/{accounts['b1'].pk}").status_code == 404
