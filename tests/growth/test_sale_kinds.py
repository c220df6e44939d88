"""The kind of sale of an invoice (orbit/growth/sale_kinds.py), on a hand-worked story.

am_a's account buys for the first time on 2026-01-15, so with ORBIT_NEW_BUSINESS_MONTHS = 3 its months of
buying are January (1st), February (2nd) and March (3rd): invoices to 2026-03-31 are new business, from
2026-04-01 repeat business — unless their order names the won opportunity it fulfils.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from orbit.growth.models import Opportunity, OpportunityKind, Project
from orbit.growth.sale_kinds import SaleKind, sale_kind_of
from orbit.revenue import orders
from orbit.revenue.models import Invoice, Order, PaymentAllocation
from tests.factories import make_account
from tests.revenue.conftest import build_shop
from tests.revenue.ledger import credit, issue, pay, routers

D = Decimal


def _won(shop, stages, kind: str, title: str, account=None) -> Opportunity:
    stage = stages["account_growth"]["won"]
    return Opportunity.objects.create(
        account=account or shop.account,
        kind=kind,
        title=title,
        pipeline=stage.pipeline,
        stage=stage,
        status="won",
        owner=shop.org.am_a,
        amount=D("1000"),
        probability=100,
        expected_close_on=dt.date(2026, 5, 1),
        closed_on=dt.date(2026, 5, 1),
        stage_changed_at=timezone.now(),
    )


def _order(shop, number: str, opportunity: Opportunity) -> Order:
    return Order.objects.create(
        account=shop.account, number=number, received_at=timezone.now(), opportunity=opportunity
    )


def _kinds(*invoices) -> list[str]:
    found = dict(Invoice.objects.annotate(kind_of_sale=sale_kind_of()).values_list("pk", "kind_of_sale"))
    return [found[i.pk] for i in invoices]


@pytest.fixture
def story(org, stages):
    shop = build_shop(org)
    upsell = _won(shop, stages, OpportunityKind.UPSELL, "Второй склад")
    implementation = _won(shop, stages, OpportunityKind.NEW_BUSINESS, "Внедрение")
    Project.objects.create(
        account=shop.account,
        opportunity=implementation,
        project_manager=org.am_a,
        name="Внедрение",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 7, 1),
    )
    renewal = _won(shop, stages, OpportunityKind.RENEWAL, "Продление")
    docs = {
        "first": issue(shop, dt.date(2026, 1, 15), routers(shop)),
        "third_month_end": issue(shop, dt.date(2026, 3, 31), routers(shop)),
        "fourth_month": issue(shop, dt.date(2026, 4, 1), routers(shop)),
        "renewal_in_first_month": issue(
            shop, dt.date(2026, 1, 20), routers(shop), order=_order(shop, "O-R", renewal)
        ),
        "upsell": issue(shop, dt.date(2026, 5, 10), routers(shop), order=_order(shop, "O-U", upsell)),
        "project": issue(
            shop, dt.date(2026, 5, 12), routers(shop), order=_order(shop, "O-P", implementation)
        ),
    }
    return shop, docs


def test_kinds_by_months_of_buying_and_by_the_fulfilled_opportunity(story):
    _shop, docs = story
    assert _kinds(*docs.values()) == [
        SaleKind.NEW,  # the first invoice: month 1
        SaleKind.NEW,  # 31 March: month 3, the last of new business
        SaleKind.REPEAT,  # 1 April: month 4
        SaleKind.RENEWAL,  # its order names a won renewal: that wins over "first months"
        SaleKind.UPSELL,
        SaleKind.PROJECT,  # the fulfilled opportunity has a project
    ]


def test_a_credit_note_takes_back_the_kind_of_the_invoice_it_corrects(story):
    shop, docs = story
    late = credit(
        shop, docs["third_month_end"], dt.date(2026, 7, 1), routers(shop, -1)
    )  # July, but new business
    upsell = credit(shop, docs["upsell"], dt.date(2026, 6, 1), routers(shop, -1))
    assert _kinds(late, upsell) == [SaleKind.NEW, SaleKind.UPSELL]


def test_money_received_has_the_kind_of_the_invoice_it_pays(story):
    shop, docs = story
    pay(shop, dt.date(2026, 5, 20), "1220", allocate=[(docs["upsell"], D("1220"))])
    kinds = PaymentAllocation.objects.annotate(kind_of_sale=sale_kind_of("invoice__")).values_list(
        "kind_of_sale", flat=True
    )
    assert list(kinds) == [SaleKind.UPSELL]


def test_the_new_business_window_is_a_setting(story):
    _shop, docs = story
    with override_settings(ORBIT_NEW_BUSINESS_MONTHS=1):
        assert _kinds(docs["first"], docs["third_month_end"]) == [SaleKind.NEW, SaleKind.REPEAT]


def test_an_order_fulfils_only_a_won_opportunity_of_its_own_account(story, stages):
    shop, _docs = story
    open_one = _won(shop, stages, OpportunityKind.UPSELL, "Ещё думают")
    Opportunity.objects.filter(pk=open_one.pk).update(status="open", closed_on=None)
    open_one.refresh_from_db()
    stranger = _won(
        shop, stages, OpportunityKind.UPSELL, "Чужая", account=make_account(shop.org.head, shop.org.am_a)
    )
    line = orders.OrderLineInput(product=shop.router, quantity=D(1))
    for opportunity, message in (
        (open_one, "Only a won opportunity is fulfilled by an order."),
        (stranger, "Choose an opportunity of this account."),
    ):
        with pytest.raises(ValidationError) as error:
            orders.order_create(
                by=shop.org.am_a,
                account=shop.account,
                received_at=timezone.now(),
                currency="RUB",
                lines=[line],
                opportunity=opportunity,
            )
        assert error.value.message_dict == {"opportunity": [message]}
    kept = orders.order_create(
        by=shop.org.am_a,
        account=shop.account,
        received_at=timezone.now(),
        currency="RUB",
        lines=[line],
        opportunity=Opportunity.objects.get(title="Второй склад"),
    )
    assert kept.opportunity.kind == OpportunityKind.UPSELL
