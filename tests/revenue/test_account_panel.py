"""The account card's money panel: revenue and margin by month from the monthly totals, the balance with its
ageing, contracts and open orders; visible to whoever sees the account, actions only for who may bill."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from orbit.revenue.models import Contract, ContractStatus, Order, OrderStatus
from tests.factories import make_account
from tests.revenue.story import NOON, TODAY, client_story

D = Decimal


@pytest.fixture
def story(shop, time_machine):
    time_machine.move_to(NOON)
    return client_story(shop)


def _panel(client, user, account, language="ru"):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get(reverse("revenue:account_panel", args=[account.pk]))


def test_the_panels_figures_are_the_ledgers_hand_computed_ones(client, story, shop):
    panel = _panel(client, shop.org.am_a, story.account).context["panel"]
    assert panel.today == TODAY
    # Revenue and margin of 2025-07..2026-06 (see tests/revenue/story.py): 6100 and 4460, 4460 / 6100 = 73.1 %.
    assert (panel.revenue.revenue, panel.revenue.margin, panel.revenue.margin_percent) == (
        D("6100.00"),
        D("4460.00"),
        D("73.1"),
    )
    balance = panel.balance
    # Open: B 6100 − 5580 = 520 and C 122; overdue B only (due 2026-05-04, 42 days); 300 kept as credit.
    assert (balance.open_base, balance.overdue_base, balance.credit_base) == (
        D("642.00"),
        D("520.00"),
        D("300.00"),
    )
    assert [amount for _label, amount in panel.ageing] == [D("122.00"), 0, D("520.00"), 0, 0]
    assert (balance.last_purchase_on, balance.last_payment_on) == (dt.date(2026, 6, 1), dt.date(2026, 6, 10))
    # Open invoices, oldest due first: B, then C.
    assert [i.pk for i in panel.invoices] == [story.b.pk, story.c.pk]


def test_the_chart_stacks_revenue_by_product_line_over_24_months_with_the_margin(client, story, shop):
    chart = _panel(client, shop.org.am_a, story.account, "en").context["panel"].revenue.chart
    assert len(chart.categories) == 24
    assert (chart.categories[0], chart.categories[-1]) == ("Jul 2024", "Jun 2026")
    series = {s.name: s for s in chart.series}
    # Service (5000 in all) is the bigger line: at the bottom of the stack; the margin is a line over it.
    assert [s.name for s in chart.series] == ["Service", "Equipment", "Margin"]
    assert (series["Service"].stack, series["Margin"].kind) == ("revenue", "line")
    month = {label: i for i, label in enumerate(chart.categories)}
    equipment, margin = series["Equipment"].values, series["Margin"].values
    # Mar 2025: D 1000 (margin 400); Jan 2026: A 2000 (800); Feb 2026: the credit note −1000 (−1000 + 600 = −400).
    assert [equipment[month[m]] for m in ("Mar 2025", "Jan 2026", "Feb 2026", "Jun 2026")] == [
        1000,
        2000,
        -1000,
        100,
    ]
    assert [margin[month[m]] for m in ("Mar 2025", "Jan 2026", "Feb 2026", "Apr 2026", "Jun 2026")] == [
        400,
        800,
        -400,
        4000,
        60,
    ]
    assert sum(series["Service"].values) == 5000 and series["Service"].values[month["Apr 2026"]] == 5000


def test_the_chart_is_drawn_from_json_with_its_table_fallback_in_russian(client, story, shop):
    html = _panel(client, shop.org.am_a, story.account).content.decode()
    assert 'data-chart="chart-' in html and 'type="application/json"' in html
    assert '<details class="chart-table" data-chart-table open>' in html
    # Month names and money in Russian: "Апр 2026" and 5 000,00 ₽ with no-break spaces.
    assert '<th scope="row">Апр 2026</th>' in html
    assert "5\u00a0000,00\u00a0₽" in html
    assert "6\u00a0100,00\u00a0₽" in html  # revenue, 12 months


def test_revenue_is_read_from_the_monthly_totals_not_from_the_lines(
    client, story, shop, django_assert_max_num_queries
):
    client.force_login(shop.org.am_a)
    url = reverse("revenue:account_panel", args=[story.account.pk])
    with django_assert_max_num_queries(10) as queries:
        client.get(url)
    assert not [q for q in queries.captured_queries if "revenue_invoiceline" in q["sql"]]


def test_contracts_show_their_notice_deadline_and_open_orders_are_listed(client, shop, time_machine):
    time_machine.move_to(NOON)
    account = shop.account
    Contract.objects.create(
        account=account,
        number="Д-7",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        renewal_on=dt.date(2026, 12, 31),
        notice_days=30,
        status=ContractStatus.ACTIVE,
    )
    Contract.objects.create(
        account=account, number="Д-1", starts_on=dt.date(2024, 1, 1), status=ContractStatus.EXPIRED
    )
    for number, status in (("З-1", OrderStatus.CONFIRMED), ("З-2", OrderStatus.DELIVERED)):
        Order.objects.create(account=account, number=number, received_at=NOON, status=status)
    panel = _panel(client, shop.org.am_a, account).context["panel"]
    # 2026-12-31 − 30 days = 2026-12-01.
    assert [(c.contract.number, c.notice_by) for c in panel.contracts] == [("Д-7", dt.date(2026, 12, 1))]
    assert [o.number for o in panel.orders] == ["З-1"]
    assert not panel.is_empty


def test_an_account_without_money_says_what_to_do(client, shop):
    response = _panel(client, shop.org.am_a, shop.account, "en")
    assert response.context["panel"].is_empty
    assert "Issue the first invoice" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status", "actions"),
    [
        ("am_a", 200, True),
        ("lead_a", 200, True),
        ("auditor", 200, False),
        ("am_b", 404, False),
        ("outsider", 404, False),
    ],
)
def test_the_panel_follows_visibility_and_the_actions_follow_billing(
    client, story, shop, persona, status, actions
):
    response = _panel(client, getattr(shop.org, persona), story.account)
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert (reverse("revenue:invoice_create", args=[story.account.pk]) in html) is actions
        assert (reverse("revenue:payment_create", args=[story.account.pk]) in html) is actions


def test_an_other_accounts_money_does_not_leak_into_the_panel(client, story, shop):
    other = make_account(shop.org.head, shop.org.am_a)
    panel = _panel(client, shop.org.am_a, other).context["panel"]
    assert panel.is_empty and panel.balance.open_base == 0 and not panel.revenue.has_any
