"""The holding's money: the account panel's figures rolled up over the holding's companies the viewer may see,
a row per company, and a word on the page when some companies are hidden from him."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from orbit.accounts import services
from orbit.revenue.invoicing import LineInput
from tests.factories import make_account
from tests.revenue.ledger import issue
from tests.revenue.story import NOON

D = Decimal


@pytest.fixture
def holding(shop, time_machine):
    """On 2026-06-15: the parent (am_a) bought 1 router on 2026-03-01 (net 1000, margin 400, total 1220, due
    03-15: 92 days past due); subsidiary one (am_a) 1 support on 2026-05-01 (net 5000, margin 4000, total 6100,
    due 05-15: 31 days); subsidiary two (am_b, team B) 10 cables on 2026-06-05 (net 100, margin 60, total 122,
    due 06-19: not due)."""
    time_machine.move_to(NOON)
    org = shop.org
    parent = shop.account
    one = make_account(org.head, org.am_a, legal_name="ООО «Дочка-1»")
    two = make_account(org.head, org.am_b, legal_name="ООО «Дочка-2»")
    for child in (one, two):
        services.account_update(by=org.head, account=child, version=None, parent=parent)
    for account, product, quantity, day in (
        (parent, shop.router, 1, dt.date(2026, 3, 1)),
        (one, shop.support, 1, dt.date(2026, 5, 1)),
        (two, shop.cable, 10, dt.date(2026, 6, 5)),
    ):
        issue(
            shop,
            day,
            LineInput(product=product, quantity=D(quantity)),
            account=account,
            by=account.responsible_manager,
        )
    return parent, one, two


def _money(client, user, account):
    client.force_login(user)
    return client.get(reverse("revenue:holding", args=[account.pk]))


def test_the_head_sees_the_whole_holding_added_up(client, holding, shop):
    parent, one, two = holding
    response = _money(client, shop.org.head, one)  # from any company of the holding
    money = response.context["money"]
    assert money.hidden == 0
    assert money.root.pk == parent.pk
    # Revenue 1000 + 5000 + 100 = 6100; margin 400 + 4000 + 60 = 4460; open 1220 + 6100 + 122 = 7442;
    # overdue 1220 + 6100 = 7320 (90+ and 31–60).
    panel = money.panel
    assert (panel.revenue.revenue, panel.revenue.margin) == (D("6100.00"), D("4460.00"))
    assert (panel.balance.open_base, panel.balance.overdue_base) == (D("7442.00"), D("7320.00"))
    assert [amount for _label, amount in panel.ageing] == [D("122.00"), 0, D("6100.00"), 0, D("1220.00")]
    rows = {r.account.pk: (r.revenue, r.margin, r.open_base, r.overdue_base) for r in money.rows}
    assert rows == {
        parent.pk: (D("1000.00"), D("400.00"), D("1220.00"), D("1220.00")),
        one.pk: (D("5000.00"), D("4000.00"), D("6100.00"), D("6100.00")),
        two.pk: (D("100.00"), D("60.00"), D("122.00"), D("0.00")),
    }
    assert (money.totals.revenue, money.totals.open_base) == (D("6100.00"), D("7442.00"))
    assert "not visible to you" not in response.content.decode()


def test_a_lead_sees_his_teams_companies_and_is_told_one_is_hidden(client, holding, shop):
    parent, one, _two = holding
    shop.org.lead_a.language = "en"
    shop.org.lead_a.save(update_fields=["language"])
    response = _money(client, shop.org.lead_a, parent)
    money = response.context["money"]
    assert money.hidden == 1
    assert {r.account.pk for r in money.rows} == {parent.pk, one.pk}
    # Without the second subsidiary: revenue 6000, margin 4400, open 7320, all overdue.
    panel = money.panel
    assert (panel.revenue.revenue, panel.revenue.margin) == (D("6000.00"), D("4400.00"))
    assert (panel.balance.open_base, panel.balance.overdue_base) == (D("7320.00"), D("7320.00"))
    html = response.content.decode()
    assert "1 company of the holding is not visible to you" in html
    assert "Дочка-2" not in html


def test_a_manager_who_sees_one_company_gets_no_roll_up(client, holding, shop):
    _parent, _one, two = holding
    response = _money(client, shop.org.am_b, two)
    assert response.status_code == 200 and response.context["money"] is None


def test_an_outsider_gets_404(client, holding, shop):
    assert _money(client, shop.org.outsider, holding[0]).status_code == 404


def test_the_holding_page_loads_the_money_section(client, holding, shop):
    client.force_login(shop.org.head)
    page = client.get(reverse("accounts:holding", args=[holding[0].pk])).content.decode()
    assert reverse("revenue:holding", args=[holding[0].pk]) in page


def test_the_roll_up_costs_a_fixed_number_of_queries(client, holding, shop, django_assert_max_num_queries):
    client.force_login(shop.org.head)
    with django_assert_max_num_queries(14):
        client.get(reverse("revenue:holding", args=[holding[0].pk]))
