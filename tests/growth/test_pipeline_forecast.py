"""The weighted pipeline per manager and per team, by expected close month, against hand-computed figures; what
each person sees (the head all, a lead his teams, a manager himself); the page, its chart, its query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orbit.growth import pipeline
from orbit.growth.models import LostReason, Opportunity
from orbit.growth.opportunities import opportunity_create, opportunity_move
from orbit.org.models import User
from tests.factories import make_account

D = Decimal


@pytest.fixture(autouse=True)
def _people_read_english(org):
    User.objects.update(language="en")


def _deal(by, account, amount, on, **kw):
    return opportunity_create(
        by=by,
        account=account,
        kind="upsell",
        title=kw.pop("title", f"Deal {amount}"),
        amount=D(amount),
        expected_close_on=on,
        **kw,
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def deals(org, stages, today):
    """am_a (team A): 100 000 this month at 10 %, 200 000 next month at 35 %, 50 000 later at 30 %, a lost one;
    am_a1 (team A1 under A): 40 000 at 10 % whose date has passed; am_b (team B): 300 000 next month at 10 %."""
    g = stages["account_growth"]
    following = pipeline.next_month(today.replace(day=1))
    later = pipeline.next_month(following) + dt.timedelta(days=10)
    a = make_account(org.head, org.am_a)
    a1 = make_account(org.head, org.am_a1)
    b = make_account(org.head, org.am_b)
    _deal(org.am_a, a, "100000", today)
    _deal(org.am_a, a, "200000", following + dt.timedelta(days=3), probability=35)
    z = _deal(org.am_a, a, "50000", later)
    opportunity_move(by=org.am_a, opportunity=z, stage=g["qualified"])
    lost = _deal(org.am_a, a, "777777", later)
    opportunity_move(
        by=org.am_a, opportunity=lost, stage=g["lost"], lost_reason=LostReason.objects.get(code="price")
    )
    overdue = _deal(org.am_a1, a1, "40000", today)
    # Time passed: the date is now behind us, the deal still open (it counts in this month).
    Opportunity.objects.filter(pk=overdue.pk).update(expected_close_on=today - dt.timedelta(days=40))
    _deal(org.am_b, b, "300000", following + dt.timedelta(days=1))


def _figures(row):
    return [(c.count, c.amount, c.weighted) for c in [*row.cells, row.total]]


def test_per_manager_for_the_head_by_hand(org, deals, today):
    forecast = pipeline.weighted_pipeline(org.head, by="owner", today=today)
    # Ordered by weighted total, highest first.
    assert [row.key for row in forecast.rows] == [org.am_a.pk, org.am_b.pk, org.am_a1.pk]
    am_a, am_b, am_a1 = forecast.rows
    # am_a: this month 100 000 × 10 % = 10 000; next 200 000 × 35 % = 70 000; later 50 000 × 30 % = 15 000;
    #       total 350 000, weighted 10 000 + 70 000 + 15 000 = 95 000 (the lost 777 777 is not in the pipeline).
    assert _figures(am_a) == [
        (1, D("100000"), D("10000.00")),
        (1, D("200000"), D("70000.00")),
        (1, D("50000"), D("15000.00")),
        (3, D("350000"), D("95000.00")),
    ]
    # am_b: next month 300 000 × 10 % = 30 000.
    assert _figures(am_b) == [
        (0, D("0"), D("0.00")),
        (1, D("300000"), D("30000.00")),
        (0, D("0"), D("0.00")),
        (1, D("300000"), D("30000.00")),
    ]
    # am_a1: 40 000 × 10 % = 4 000, overdue, so in this month.
    assert _figures(am_a1)[0] == (1, D("40000"), D("4000.00"))
    # Totals: this month 100 000 + 40 000 = 140 000 (weighted 14 000); next 200 000 + 300 000 = 500 000
    # (70 000 + 30 000 = 100 000); later 50 000 (15 000); all 690 000, weighted 129 000.
    assert _figures(forecast.total) == [
        (2, D("140000"), D("14000.00")),
        (2, D("500000"), D("100000.00")),
        (1, D("50000"), D("15000.00")),
        (5, D("690000"), D("129000.00")),
    ]
    assert forecast.months["this_month"] == today.replace(day=1)
    chart = forecast.chart
    assert chart.categories == [row.name for row in forecast.rows]
    assert [list(s.values) for s in chart.series] == [
        [D("10000.00"), D("0.00"), D("4000.00")],
        [D("70000.00"), D("30000.00"), D("0.00")],
        [D("15000.00"), D("0.00"), D("0.00")],
    ]


def test_per_team_a_team_covers_its_subteams(org, deals, today):
    forecast = pipeline.weighted_pipeline(org.head, by="team", today=today)
    rows = {row.name: row for row in forecast.rows}
    assert set(rows) == {"Team A", "Team A1", "Team B"}
    # Team A = am_a's 95 000 + am_a1's 4 000 (team A1 is under A) = 99 000 on 390 000.
    assert _figures(rows["Team A"])[-1] == (4, D("390000"), D("99000.00"))
    assert _figures(rows["Team A"])[0] == (2, D("140000"), D("14000.00"))
    assert _figures(rows["Team A1"])[-1] == (1, D("40000"), D("4000.00"))
    assert _figures(rows["Team B"])[-1] == (1, D("300000"), D("30000.00"))
    assert _figures(forecast.total)[-1] == (5, D("690000"), D("129000.00"))  # each deal once


def test_a_lead_sees_his_teams_and_a_manager_himself(org, deals, today):
    lead = pipeline.weighted_pipeline(org.lead_a, by="team", today=today)
    assert {row.name for row in lead.rows} == {"Team A", "Team A1"}
    assert _figures(lead.total)[-1] == (4, D("390000"), D("99000.00"))
    by_owner = pipeline.weighted_pipeline(org.lead_a, by="owner", today=today)
    assert {row.key for row in by_owner.rows} == {org.am_a.pk, org.am_a1.pk}
    mine = pipeline.weighted_pipeline(org.am_a, by="owner", today=today)
    assert [row.key for row in mine.rows] == [org.am_a.pk]
    assert _figures(mine.total)[-1] == (3, D("350000"), D("95000.00"))
    his_team = pipeline.weighted_pipeline(org.am_a, by="team", today=today)
    assert [(row.name, row.total.weighted) for row in his_team.rows] == [("Team A", D("95000.00"))]
    assert pipeline.weighted_pipeline(org.outsider, by="owner", today=today).rows == []


def test_the_page_shows_the_table_and_the_chart(client, org, deals):
    client.force_login(org.head)
    response = client.get(reverse("growth:forecast"), {"by": "team"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="forecast-table"' in body and "chart-canvas" in body
    assert "129,000.00" in body  # the weighted total, in English
    assert client.get(reverse("growth:forecast"), {"by": "nonsense"}).context["forecast"].by == "owner"
    client.force_login(org.outsider)
    assert "No open opportunities here." in client.get(reverse("growth:forecast")).content.decode()


def test_the_page_costs_the_same_queries_for_few_and_many_deals(client, org, stages, deals, today):
    client.force_login(org.head)
    url = reverse("growth:forecast")
    for by in ("owner", "team"):
        client.get(url, {"by": by})
        with CaptureQueriesContext(connection) as few:
            client.get(url, {"by": by})
        account = make_account(org.head, org.am_b)
        for i in range(10):
            _deal(org.am_b, account, f"{i + 1}000", today + dt.timedelta(days=40 * i))
        with CaptureQueriesContext(connection) as many:
            client.get(url, {"by": by})
        assert len(many) == len(few), by
