"""The account card's open opportunities: `pipeline.account_opportunities` (hand-computed sums, the first five
by close date, what the reader may see, two queries) and its partial `growth/pipeline/_card_opportunities.html`
(in the card's growth panel, growth:account_panel)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orbit.growth import pipeline
from orbit.growth.models import LostReason
from orbit.growth.opportunities import opportunity_create, opportunity_move
from orbit.org.models import User
from tests.factories import make_account

D = Decimal


@pytest.fixture(autouse=True)
def _people_read_english(org):
    User.objects.update(language="en")


def _deal(org, account, amount, days, **kw):
    return opportunity_create(
        by=org.am_a,
        account=account,
        kind="upsell",
        title=kw.pop("title", f"Deal {amount}"),
        amount=D(amount),
        expected_close_on=timezone.localdate() + dt.timedelta(days=days),
        **kw,
    )


@pytest.fixture
def account(org, stages):
    account = make_account(org.head, org.am_a, legal_name="ООО «Альфа»")
    _deal(org, account, "10000.00", 40, title="Later")  # 10 %
    _deal(org, account, "25000.55", 5, title="Soon", probability=70)
    lost = _deal(org, account, "90000.00", 10, title="Gone")
    opportunity_move(
        by=org.am_a,
        opportunity=lost,
        stage=stages["account_growth"]["lost"],
        lost_reason=LostReason.objects.get(code="timing"),
    )
    return account


def test_open_opportunities_with_their_sums_by_hand(org, account):
    found = pipeline.account_opportunities(org.am_a, account)
    assert [o.title for o in found.items] == ["Soon", "Later"]  # by close date; the lost one is not open
    # amount 25 000.55 + 10 000.00 = 35 000.55; weighted 25 000.55 × 70 % = 17 500.385 plus 10 000 × 10 % =
    # 1 000 → 18 500.385 → 18 500.39 (rounded once, half up)
    assert (found.count, found.amount, found.weighted) == (2, D("35000.55"), D("18500.39"))
    assert found.more == 0
    assert pipeline.account_opportunities(org.am_b, account).count == 0  # not his account: nothing


def test_the_first_five_and_the_rest_counted(org, account):
    for i in range(5):
        _deal(org, account, "100.00", 50 + i)
    found = pipeline.account_opportunities(org.am_a, account)
    assert len(found.items) == 5 and found.count == 7 and found.more == 2
    with CaptureQueriesContext(connection) as queries:
        pipeline.account_opportunities(org.am_a, account)
    assert len(queries) <= 3  # the access context, the sums, the first five


def test_the_partial_and_its_route(client, org, account):
    html = render_to_string(
        "growth/pipeline/_card_opportunities.html",
        {
            "opportunities": pipeline.account_opportunities(org.am_a, account),
            "account": account,
            "may_sell": True,
        },
    )
    assert "Soon" in html and "₽35,000.55" in html and "₽18,500.39" in html
    assert reverse("growth:opportunity_create") + f"?account={account.pk}" in html
    client.force_login(org.am_a)
    response = client.get(reverse("growth:account_panel", args=[account.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Open opportunities" in body and "18,500.39" in body and "Gone" not in body
    client.force_login(org.auditor)
    body = client.get(reverse("growth:account_panel", args=[account.pk])).content.decode()
    assert "New opportunity" not in body  # reads, does not sell
    client.force_login(org.am_b)
    assert client.get(reverse("growth:account_panel", args=[account.pk])).status_code == 404
