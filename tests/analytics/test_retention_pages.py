"""The retention and key-account share pages: what each reader sees, the empty state, the toggle, query counts."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orbit.accounts.models import Tier
from orbit.analytics import retention, shares
from tests.analytics.retention_rows import lines, revenue
from tests.analytics.rows import done_run
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
    mine = [make_account(org.head, org.am_a, tier=Tier.KEY), make_account(org.head, org.am_a)]
    theirs = make_account(org.head, org.am_b)
    revenue(mine[0], "2026-01", "300", equipment)
    revenue(mine[0], "2026-03", "450", equipment)  # Jan cohort, NRR at +2: 450/400 = 112.5 %
    revenue(mine[1], "2026-01", "100", equipment)  # bought once: logo at +2: 1/2 = 50 %
    revenue(theirs, "2026-02", "700", equipment)
    return mine, theirs


def test_the_triangle_of_a_managers_own_cohorts(org, book):
    page = _client(org.am_a).get(reverse("analytics:retention"))
    assert page.status_code == 200
    rows = {row["month"]: row for row in page.context["rows"]}
    january = rows[dt.date(2026, 1, 1)]
    assert january["accounts"] == 2
    assert [str(c["value"]) for c in january["cells"]] == ["100.00", "0.00", "50.00", "0.00", "0.00"]
    assert rows[dt.date(2026, 2, 1)]["accounts"] == 0  # am_b's February client is not his
    assert page.context["source"] == "live"
    html = page.content.decode()
    assert "cohort-triangle" in html and "<caption>" in html
    assert 'aria-current="true"' in html  # the measure toggle marks the logo measure


def test_the_nrr_toggle_and_24_cohorts(org, book):
    page = _client(org.am_a).get(reverse("analytics:retention"), {"basis": "nrr", "cohorts": "24"})
    january = next(r for r in page.context["rows"] if r["month"] == dt.date(2026, 1, 1))
    # Jan 400; Feb 0; Mar 450 → 112.5 % (a green cell); Apr, May 0.
    assert [str(c["value"]) for c in january["cells"]] == ["100.00", "0.00", "112.50", "0.00", "0.00"]
    assert january["cells"][2]["style"].startswith("background-color: rgba(31, 122, 77")
    assert len(page.context["rows"]) == 24
    assert page.context["basis"] == "nrr"


def test_unknown_choices_fall_back_to_the_defaults(org, book):
    page = _client(org.am_a).get(
        reverse("analytics:retention"), {"basis": "x", "cohorts": "7", "team": "abc"}
    )
    assert (page.context["basis"], page.context["cohorts"], page.context["scope"]["team"]) == (
        "logo",
        12,
        None,
    )


def test_the_head_reads_the_run_and_may_narrow(org, book):
    as_of = dt.date(2026, 6, 15)
    done_run(
        as_of=as_of,
        summary={
            "retention": retention.department_summary(as_of),
            "share_history": shares.department_history(as_of),
        },
    )
    client = _client(org.head)
    page = client.get(reverse("analytics:retention"))
    assert page.context["source"] == "run"
    rows = {row["month"]: row["accounts"] for row in page.context["rows"]}
    assert (rows[dt.date(2026, 1, 1)], rows[dt.date(2026, 2, 1)]) == (2, 1)
    assert page.context["teams"] and page.context["managers"]
    narrowed = client.get(reverse("analytics:retention"), {"manager": org.am_b.pk})
    assert narrowed.context["source"] == "live"
    assert {r["month"]: r["accounts"] for r in narrowed.context["rows"]}[dt.date(2026, 1, 1)] == 0
    assert client.get(reverse("analytics:shares")).context["source"] == "run"


def test_a_manager_gets_no_narrowing_choices(org, book):
    page = _client(org.am_a).get(reverse("analytics:shares"))
    assert (page.context["teams"], page.context["managers"]) == ([], [])
    assert 'name="manager"' not in page.content.decode()


def test_the_shares_page(org, book):
    page = _client(org.am_a).get(reverse("analytics:shares"))
    assert page.status_code == 200
    latest = page.context["latest"]
    # Twelve months to May 2026: 300 + 450 (key) + 100 = 850; key 750/850 = 88.24 %; top ceil(0.4) = 1 → 88.24 %.
    assert latest["month"] == dt.date(2026, 5, 1)
    assert (str(latest["key_share"]), str(latest["top_share"]), latest["accounts"]) == ("88.24", "88.24", 2)
    assert "share-figure" in page.content.decode()


@pytest.mark.parametrize("name", ["analytics:retention", "analytics:shares"])
def test_empty_state(org, name):
    page = _client(org.am_a).get(reverse(name))
    assert page.status_code == 200
    assert page.context["figures"]["empty"] is True
    assert "За эти месяцы выручки ещё нет" in page.content.decode()  # "No revenue in these months yet"


@pytest.mark.parametrize("name", ["analytics:retention", "analytics:shares"])
def test_the_tabs_mark_the_page(org, book, name):
    html = _client(org.am_a).get(reverse(name)).content.decode()
    assert f'href="{reverse(name)}" aria-current="page"' in html


@pytest.mark.parametrize("name", ["analytics:retention", "analytics:shares"])
def test_query_count_does_not_grow_with_the_accounts(org, book, name, django_assert_max_num_queries):
    client = _client(org.lead_a)
    client.get(reverse(name))  # warm the session and the policy caches
    equipment, _ = lines()
    for _i in range(5):
        revenue(make_account(org.head, org.am_a), "2026-04", "10", equipment)
    # Session, user, the reader's roles and teams, the figures (2 for retention, 1 for shares), teams, managers.
    with django_assert_max_num_queries(7):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["analytics:retention", "analytics:shares"])
def test_the_head_with_a_stored_run_scans_no_revenue(org, book, name):
    as_of = dt.date(2026, 6, 15)
    done_run(
        as_of=as_of,
        summary={
            "retention": retention.department_summary(as_of),
            "share_history": shares.department_history(as_of),
        },
    )
    client = _client(org.head)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name)).status_code == 200
    # Session, user, roles, the run's summary, teams, managers — and no read of the monthly revenue.
    assert len(queries) <= 6
    assert not [q for q in queries.captured_queries if "revenue_accountrevenuemonth" in q["sql"]]
