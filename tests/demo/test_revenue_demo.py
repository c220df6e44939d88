"""The demo's money: a consistent ledger with the shape the next issues need (A/B/C, dormant, at-risk), the
same documents for the same seed and day."""

import datetime as dt
import hashlib
import itertools
from decimal import Decimal

import pytest
from django.db.models import F, Max, Sum

from orbit.accounts.models import Account, AccountStatus
from orbit.accounts.ownership import responsible_on
from orbit.demo.generator import SIZES, reset_database, seed
from orbit.revenue import totals
from orbit.revenue.models import (
    Contract,
    CurrencyRate,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Order,
    OrderStatus,
    Payment,
    PaymentAllocation,
    ProductPrice,
)

TODAY = dt.date(2026, 3, 16)  # a Monday in the past, after the VAT change of 2026-01-01
SEED = 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One committed small demo for the module, emptied afterwards."""
    with django_db_blocker.unblock():
        report = seed(accounts=SIZES["small"], seed=SEED, today=TODAY)
        yield report
        reset_database()


def revenue_by_account() -> dict[int, Decimal]:
    return dict(
        InvoiceLine.objects.values("account_id")
        .annotate(s=Sum("net_amount_base"))
        .values_list("account_id", "s")
    )


def test_every_account_s_ledger_holds(demo, db):
    problems = {a.pk: totals.ledger_problems(a) for a in Account.objects.all()}
    assert {pk: p for pk, p in problems.items() if p} == {}
    assert Invoice.objects.filter(kind=InvoiceKind.INVOICE).count() > 2000


def test_a_fifth_of_the_clients_bring_most_of_the_revenue(demo, db):
    revenue = sorted(revenue_by_account().values(), reverse=True)
    top = sum(revenue[: len(revenue) // 5])
    assert 0.65 <= top / sum(revenue) <= 0.90


def test_late_payers_overdue_and_credit(demo, db):
    overdue_90 = (
        Invoice.objects.filter(open_amount__gt=0, due_on__lt=TODAY - dt.timedelta(days=90))
        .values("account")
        .distinct()
        .count()
    )
    assert overdue_90 >= 5
    # Paid 30+ days after the due day: some accounts always pay late.
    late = (
        PaymentAllocation.objects.filter(
            payment__received_on__gt=F("invoice__due_on") + dt.timedelta(days=30)
        )
        .values("invoice__account")
        .distinct()
        .count()
    )
    assert late >= 20
    assert Payment.objects.filter(allocated_amount__lt=F("amount")).exists()  # overpaid: the client's credit
    partly = Invoice.objects.filter(kind=InvoiceKind.INVOICE, paid_total__gt=0, open_amount__gt=0)
    assert partly.exists()


def test_credit_notes_correct_a_few_invoices(demo, db):
    notes = Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE)
    invoices = Invoice.objects.filter(kind=InvoiceKind.INVOICE).count()
    assert 0 < notes.count() < invoices * 0.05
    assert not notes.filter(total__gte=0).exists()
    assert not notes.filter(issued_on__lt=F("corrects__issued_on")).exists()


def test_churned_bought_nothing_for_a_year_dormant_for_months_and_some_came_back(demo, db):
    last = dict(Invoice.objects.values("account").annotate(m=Max("issued_on")).values_list("account", "m"))
    by_status: dict[str, list[int]] = {}
    for pk, status in Account.objects.values_list("pk", "status"):
        if pk in last:
            by_status.setdefault(status, []).append((TODAY - last[pk]).days)
    assert min(by_status[AccountStatus.CHURNED]) >= 365
    # Dormant by the account's own rhythm (the analytics move the statuses): silent at least the floor, 45 days.
    assert min(by_status[AccountStatus.DORMANT]) >= 45
    assert max(by_status[AccountStatus.ACTIVE]) < 365
    # Dormant then back: a gap of four months or more between two invoices, and buying again in the last 90 days.
    back = 0
    for account_id in (
        Invoice.objects.filter(issued_on__gte=TODAY - dt.timedelta(days=90))
        .values_list("account_id", flat=True)
        .distinct()
    ):
        days = sorted(Invoice.objects.filter(account_id=account_id).values_list("issued_on", flat=True))
        if any((b - a).days >= 120 for a, b in itertools.pairwise(days)):
            back += 1
    assert back >= 10


def test_seasons_january_dip_and_fourth_quarter_peak(demo, db):
    by_month = {
        m: Invoice.objects.filter(
            kind=InvoiceKind.INVOICE, issued_on__month=m, issued_on__lt=dt.date(2026, 1, 1)
        ).count()
        for m in (1, 6, 12)
    }
    assert by_month[1] < by_month[6] < by_month[12]


def test_holdings_buy_through_their_subsidiaries(demo, db):
    holdings = Account.objects.filter(subsidiaries__invoices__isnull=False).distinct()
    assert holdings.count() >= 5


def test_managers_are_the_responsible_ones_on_the_day(demo, db):
    for invoice in Invoice.objects.order_by("id")[::97]:
        expected = responsible_on(invoice.account_id, invoice.issued_on)
        assert invoice.manager_id == (expected.pk if expected else None)
    for payment in Payment.objects.order_by("id")[::97]:
        expected = responsible_on(payment.account_id, payment.received_on)
        assert payment.manager_id == (expected.pk if expected else None)


def test_vat_and_prices_follow_the_date(demo, db):
    # Invoices take the rate of their day; a credit note keeps the rate of the invoice it corrects (a January
    # credit note on a December invoice is at 20 %), checked below.
    standard = InvoiceLine.objects.filter(vat_category="standard", invoice__kind="invoice")
    assert set(standard.filter(issued_on__lt=dt.date(2026, 1, 1)).values_list("vat_percent", flat=True)) == {
        20
    }
    assert set(standard.filter(issued_on__gte=dt.date(2026, 1, 1)).values_list("vat_percent", flat=True)) == {
        22
    }
    for line in InvoiceLine.objects.filter(
        vat_category="standard", invoice__kind="credit_note"
    ).select_related("invoice__corrects"):
        assert line.vat_percent == (20 if line.invoice.corrects.issued_on < dt.date(2026, 1, 1) else 22)
    assert not InvoiceLine.objects.filter(vat_category="exempt", vat_amount__gt=0).exists()
    # A price rise every January: each product's list price is higher each year.
    for product_id in (
        ProductPrice.objects.filter(currency="RUB").values_list("product_id", flat=True).distinct()
    ):
        prices = list(
            ProductPrice.objects.filter(product_id=product_id, currency="RUB")
            .order_by("valid_from")
            .values_list("price", flat=True)
        )
        assert prices == sorted(prices) and len(set(prices)) == len(prices) >= 3
    # Foreign-currency invoices, at the day's rate from the rate table.
    foreign = Invoice.objects.exclude(currency="RUB")
    assert foreign.exists()
    for invoice in foreign[:20]:
        rate = CurrencyRate.objects.filter(currency=invoice.currency, day__lte=invoice.issued_on).latest(
            "day"
        )
        assert invoice.rate == rate.rate
    assert CurrencyRate.objects.filter(currency="CNY").count() > 700  # every business day of three years


def test_margins_differ_by_product_line(demo, db):
    margins = {}
    for code, net, cost in (
        InvoiceLine.objects.values("product_line__code")
        .annotate(n=Sum("net_amount_base"), c=Sum("cost_amount_base"))
        .values_list("product_line__code", "n", "c")
    ):
        margins[code] = (net - cost) / net
    assert margins["equipment"] < Decimal("0.2") < Decimal("0.5") < margins["service"] < margins["software"]


def test_contracts_with_notice_deadlines_soon_and_orders_in_every_state(demo, db):
    soon = [
        c
        for c in Contract.objects.filter(renewal_on__isnull=False, status="active")
        if TODAY <= c.renewal_on - dt.timedelta(days=c.notice_days) <= TODAY + dt.timedelta(days=21)
    ]
    assert len(soon) >= 5
    assert Contract.objects.filter(auto_renewal=True).exists()
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    late = Order.objects.filter(
        status__in=(OrderStatus.CONFIRMED, OrderStatus.SHIPPED), promised_on__lt=TODAY
    )
    assert late.exists()
    assert Order.objects.filter(status=OrderStatus.DELIVERED, delivered_on__gt=F("promised_on")).exists()
    assert Invoice.objects.filter(order__status=OrderStatus.DELIVERED).exists()


def _money_digest() -> str:
    rows = [
        sorted(
            Invoice.objects.values_list(
                "account__inn", "kind", "number", "issued_on", "due_on", "currency", "rate", "total",
                "net_total_base", "cost_total_base", "paid_total", "credited_total", "open_amount",
                "manager__username", "corrects__number",
            ),
            key=repr,
        ),
        sorted(
            InvoiceLine.objects.values_list(
                "invoice__number", "invoice__kind", "product__sku", "quantity", "unit_price", "discount_percent",
                "price_source", "net_amount", "vat_percent", "vat_amount", "cost_amount",
            ),
            key=repr,
        ),
        sorted(
            Payment.objects.values_list(
                "account__inn", "received_on", "amount", "currency", "rate", "allocated_amount",
                "manager__username",
            ),
            key=repr,
        ),
        sorted(Order.objects.values_list("number", "account__inn", "status", "promised_on", "total"), key=repr),
        sorted(Contract.objects.values_list("number", "account__inn", "renewal_on", "notice_days"), key=repr),
    ]  # fmt: skip
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_and_day_give_the_same_documents(demo, db):
    first = _money_digest()
    reset_database()
    seed(accounts=SIZES["small"], seed=SEED, today=TODAY)
    assert _money_digest() == first
