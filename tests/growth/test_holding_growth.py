"""The holding page's growth section (growth:holding): per company of the holding the viewer sees, the product
lines bought and not bought, open opportunities with their weighted sum and running projects; the managers'
plan vs fact; what he may not see is left out and said so."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orbit.accounts import services
from orbit.growth.holding import holding_growth
from orbit.growth.models import SalesPlan
from orbit.growth.opportunities import opportunity_create
from orbit.growth.projects import project_start
from orbit.org.models import User
from orbit.revenue.models import AccountRevenueMonth, ProductLine
from tests.factories import make_account

D = Decimal


@pytest.fixture
def holding(org, stages):
    """Parent and one (am_a, team A), two (am_b, team B). The parent buys service this month, two buys parts
    (a credit note took it all back: net 0, a gap again). Opportunities: the parent 100 000 at 10 % and
    50 000 at 10 % (weighted 15 000), one 40 000 at 10 % (4 000). One running project on one."""
    User.objects.update(language="en")
    today = timezone.localdate()
    parent = make_account(org.head, org.am_a, legal_name="ООО «Холдинг»")
    one = make_account(org.head, org.am_a, legal_name="ООО «Дочка-1»")
    two = make_account(org.head, org.am_b, legal_name="ООО «Дочка-2»")
    for child in (one, two):
        services.account_update(by=org.head, account=child, version=None, parent=parent)
    service = ProductLine.objects.create(code="service", name_ru="Сервис", name_en="Service")
    parts = ProductLine.objects.create(code="parts", name_ru="Запчасти", name_en="Parts")
    month = today.replace(day=1)
    AccountRevenueMonth.objects.create(
        account=parent, month=month, product_line=service, net_base=500, cost_base=0
    )
    AccountRevenueMonth.objects.create(account=two, month=month, product_line=parts, net_base=0, cost_base=0)
    close = today + dt.timedelta(days=10)
    for account, amount in ((parent, "100000"), (parent, "50000"), (one, "40000")):
        opportunity_create(
            by=org.head,
            account=account,
            kind="upsell",
            title=f"Deal {amount}",
            amount=D(amount),
            expected_close_on=close,
        )
    project_start(
        by=org.head, account=one, name="Rollout", project_manager=org.am_a, starts_on=today, ends_on=close
    )
    SalesPlan.objects.create(user=org.am_a, month=month, revenue=10000, margin=3000)
    return parent, one, two


def test_the_head_sees_every_company_with_its_lines_deals_and_projects(org, holding):
    _parent, one, _two = holding
    growth = holding_growth(org.head, one, today=timezone.localdate())
    by_name = {row.lines.account.legal_name: row for row in growth.rows}
    assert set(by_name) == {"ООО «Холдинг»", "ООО «Дочка-1»", "ООО «Дочка-2»"} and growth.hidden == 0
    states = {name: {cell.line.code: cell.state for cell in row.lines.cells} for name, row in by_name.items()}
    assert states["ООО «Холдинг»"] == {"service": "bought", "parts": "gap"}
    assert states["ООО «Дочка-2»"] == {"service": "gap", "parts": "gap"}  # net 0 after the credit note
    assert (by_name["ООО «Холдинг»"].opportunities, by_name["ООО «Холдинг»"].weighted) == (2, D("15000.00"))
    assert (by_name["ООО «Дочка-1»"].projects, growth.totals.projects) == (1, 1)
    assert (growth.totals.opportunities, growth.totals.weighted) == (3, D("19000.00"))
    assert {row.name for row in growth.plans} == {org.am_a.display_name, org.am_b.display_name}
    mine = next(row for row in growth.plans if row.pk == org.am_a.pk)
    assert mine.plan_revenue == D("10000.00")


def test_a_lead_sees_his_part_and_is_told_the_rest_is_hidden(client, org, holding):
    parent, one, two = holding
    growth = holding_growth(org.lead_a, parent, today=timezone.localdate())
    assert [row.lines.account.pk for row in growth.rows] == [one.pk, parent.pk]  # by name
    assert growth.hidden == 1 and growth.totals.opportunities == 3
    assert [row.pk for row in growth.plans] == [org.am_a.pk]  # not am_b's: not his to see
    client.force_login(org.lead_a)
    page = client.get(reverse("growth:holding", args=[parent.pk])).content.decode()
    assert "1 company of the holding is not visible to you" in page
    assert holding_growth(org.am_b, two, today=timezone.localdate()) is None  # he sees one company only
    client.force_login(org.outsider)
    assert client.get(reverse("growth:holding", args=[parent.pk])).status_code == 404


def test_the_section_costs_the_same_queries_for_more_deals_and_the_page_loads_it(client, org, holding):
    parent, one, _two = holding
    client.force_login(org.head)
    url = reverse("growth:holding", args=[parent.pk])
    client.get(url)  # warm
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        opportunity_create(
            by=org.head,
            account=one,
            kind="renewal",
            title=f"More {n}",
            amount=D(n),
            expected_close_on=timezone.localdate() + dt.timedelta(days=3),
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert url in client.get(reverse("accounts:holding", args=[parent.pk])).content.decode()
