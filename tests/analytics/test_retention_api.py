"""GET /api/analytics/retention and /api/analytics/shares: the same figures as the pages, as JSON with exact
decimal strings, over what the caller sees."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from orbit.accounts.models import Tier
from tests.analytics.retention_rows import lines, revenue
from tests.factories import make_account

TODAY = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)  # last complete month: May 2026


@pytest.fixture(autouse=True)
def _june():
    with time_machine.travel(TODAY, tick=False):
        yield


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def book(org):
    equipment, _ = lines()
    key = make_account(org.head, org.am_a, tier=Tier.KEY)
    other = make_account(org.head, org.am_a)
    revenue(key, "2026-01", "300", equipment)
    revenue(key, "2026-03", "450", equipment)
    revenue(other, "2026-01", "100", equipment)
    revenue(make_account(org.head, org.am_b), "2026-01", "700", equipment)


def test_retention_logo_and_nrr(org, book):
    logo = _client(org.am_a).get("/api/analytics/retention").json()
    assert (logo["source"], logo["basis"], logo["last_month"]) == ("live", "logo", "2026-05-01")
    assert len(logo["cohorts"]) == 12
    january = next(c for c in logo["cohorts"] if c["month"] == "2026-01-01")
    # am_a's January: 2 members, 400; Mar: 1 of 2 bought 450 → logo 50 %, NRR 112.5 %.
    assert (january["accounts"], january["revenue"]) == (2, "400.00")
    assert [c["value"] for c in january["cells"]] == ["100.00", "0.00", "50.00", "0.00", "0.00"]
    assert january["cells"][2]["revenue"] == "450.00"
    nrr = _client(org.am_a).get("/api/analytics/retention", {"basis": "nrr", "cohorts": 24}).json()
    assert len(nrr["cohorts"]) == 24
    january = next(c for c in nrr["cohorts"] if c["month"] == "2026-01-01")
    assert [c["value"] for c in january["cells"]] == ["100.00", "0.00", "112.50", "0.00", "0.00"]


def test_retention_scope_and_narrowing(org, book):
    head = _client(org.head).get("/api/analytics/retention", {"manager": org.am_b.pk}).json()
    january = next(c for c in head["cohorts"] if c["month"] == "2026-01-01")
    assert (head["source"], january["accounts"], january["revenue"]) == ("live", 1, "700.00")
    outside = _client(org.am_a).get("/api/analytics/retention", {"manager": org.am_b.pk}).json()
    assert all(c["accounts"] == 0 for c in outside["cohorts"])


def test_shares(org, book):
    body = _client(org.head).get("/api/analytics/shares").json()
    may = body["months"][-1]
    # Twelve months to May 2026: 750 (key) + 100 + 700 = 1550; key 750/1550 = 48.39 %; top ceil(0.6) = 1: 750.
    assert (may["month"], may["accounts"], may["total"]) == ("2026-05-01", 3, "1550.00")
    assert (may["key_share"], may["top_share"], may["top_accounts"]) == ("48.39", "48.39", 1)
    assert len(body["months"]) == 24
    assert body["months"][0]["key_share"] is None  # June 2024: nothing in the twelve months before


@pytest.mark.parametrize(
    "query", [{"basis": "margin"}, {"cohorts": 7}, {"team": "x"}, {"manager": -1}], ids=str
)
def test_bad_parameters_are_422(org, query):
    response = _client(org.head).get("/api/analytics/retention", query)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_anonymous_is_401(db):
    assert Client().get("/api/analytics/shares").status_code == 401
